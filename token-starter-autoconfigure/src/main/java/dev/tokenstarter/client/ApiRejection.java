package dev.tokenstarter.client;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an API said when it rejected a token, for the log: the gateway's error code and message when the body
 * carries them. Reads WSO2 API Manager's shapes: flat JSON on 4.x ({@code {"code":"900901","message":…}}), the
 * nested {@code {"fault":{"code":900901,…}}} of older versions, and their XML ({@code <ams:code>}). Whether the
 * request is retried depends on the status alone; the code only explains it.
 *
 * @param status the HTTP status
 * @param code the error code, or null
 * @param message the error message, or null
 */
record ApiRejection(int status, @Nullable String code, @Nullable String message) {

	/** Only the start of a body is read: error bodies are small, and this one only feeds a log line. */
	static final int MAX_BODY_BYTES = 8 * 1024;

	private static final int MAX_TEXT_LENGTH = 120;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern XML_CODE = Pattern.compile("<(?:\\w+:)?code>\\s*([^<\\s]+)\\s*</(?:\\w+:)?code>");

	private static final Pattern XML_MESSAGE = Pattern.compile("<(?:\\w+:)?message>([^<]*)</(?:\\w+:)?message>");

	static ApiRejection read(int status, byte[] body) {
		Map<?, ?> json = jsonObject(body);
		if (json != null) {
			Object fault = json.get("fault");
			Map<?, ?> source = (fault instanceof Map<?, ?> nested) ? nested : json;
			return new ApiRejection(status, text(source.get("code")), text(source.get("message")));
		}
		String xml = new String(body, 0, Math.min(body.length, MAX_BODY_BYTES), StandardCharsets.UTF_8);
		return new ApiRejection(status, group(XML_CODE.matcher(xml)), group(XML_MESSAGE.matcher(xml)));
	}

	String describe() {
		if (this.code == null) {
			return "HTTP " + this.status;
		}
		return "HTTP " + this.status + " with code " + this.code + ((this.message != null) ? " (" + this.message + ")" : "");
	}

	private static @Nullable Map<?, ?> jsonObject(byte[] body) {
		if (body.length == 0 || body.length > MAX_BODY_BYTES) {
			return null;
		}
		try {
			return (JSON.readValue(body, Object.class) instanceof Map<?, ?> map) ? map : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static @Nullable String group(Matcher matcher) {
		return matcher.find() ? text(matcher.group(1)) : null;
	}

	/**
	 * Keeps what the API sent short and printable: it goes to the log.
	 */
	private static @Nullable String text(@Nullable Object value) {
		if (value == null || value instanceof Map || value instanceof Iterable) {
			return null;
		}
		String printable = value.toString().replaceAll("\\p{Cntrl}", " ").trim();
		if (printable.isEmpty()) {
			return null;
		}
		return (printable.length() > MAX_TEXT_LENGTH) ? printable.substring(0, MAX_TEXT_LENGTH) + "…" : printable;
	}

}
