package dev.tokenstarter.benchmarks.scale;

import java.util.List;
import java.util.Map;

/**
 * Writes the experiment's results (maps, lists, numbers, strings) as JSON, without a library the benchmarks
 * jar would otherwise not need.
 */
final class Json {

	private Json() {
	}

	static String write(Object value) {
		StringBuilder json = new StringBuilder();
		write(value, json);
		return json.toString();
	}

	private static void write(Object value, StringBuilder json) {
		if (value instanceof Map<?, ?> map) {
			json.append('{');
			String separator = "";
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				json.append(separator);
				string(entry.getKey().toString(), json);
				json.append(':');
				write(entry.getValue(), json);
				separator = ",";
			}
			json.append('}');
		}
		else if (value instanceof List<?> list) {
			json.append('[');
			String separator = "";
			for (Object item : list) {
				json.append(separator);
				write(item, json);
				separator = ",";
			}
			json.append(']');
		}
		else if (value instanceof Number || value instanceof Boolean) {
			json.append(value);
		}
		else {
			string(String.valueOf(value), json);
		}
	}

	private static void string(String value, StringBuilder json) {
		json.append('"');
		for (char c : value.toCharArray()) {
			if (c == '"' || c == '\\') {
				json.append('\\').append(c);
			}
			else if (c < 0x20) {
				json.append(String.format("\\u%04x", (int) c));
			}
			else {
				json.append(c);
			}
		}
		json.append('"');
	}

}
