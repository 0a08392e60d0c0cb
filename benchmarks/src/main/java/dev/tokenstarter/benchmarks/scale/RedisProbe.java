package dev.tokenstarter.benchmarks.scale;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the experiment's {@code redis-server} over a plain socket of its own (no client library, so the probe
 * sends nothing but what is asked): {@code INFO} sections and {@code PUBSUB}. The probe's own commands
 * ({@code info}, {@code pubsub}) are left out of every command count.
 */
final class RedisProbe {

	private final int port;

	RedisProbe(String redisUrl) {
		this.port = URI.create(redisUrl).getPort();
	}

	/**
	 * One {@code INFO} section as field to value.
	 */
	Map<String, String> info(String section) {
		Map<String, String> fields = new HashMap<>();
		for (String line : ((String) command("INFO", section)).split("\r\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && !line.startsWith("#")) {
				fields.put(line.substring(0, colon), line.substring(colon + 1));
			}
		}
		return fields;
	}

	/**
	 * How often Redis ran each command since it started, from {@code INFO commandstats}.
	 */
	Map<String, Long> commandCounts() {
		Map<String, Long> counts = new HashMap<>();
		info("commandstats").forEach((field, value) -> {
			if (field.startsWith("cmdstat_")) {
				int calls = value.indexOf("calls=") + "calls=".length();
				counts.put(field.substring("cmdstat_".length()), Long.parseLong(value.substring(calls,
						value.indexOf(',', calls))));
			}
		});
		return counts;
	}

	/**
	 * Redis's CPU time so far (user and system, main thread and others), in milliseconds.
	 */
	long cpuMillis() {
		Map<String, String> cpu = info("cpu");
		return Math.round((Double.parseDouble(cpu.get("used_cpu_user")) + Double.parseDouble(cpu.get("used_cpu_sys")))
				* 1000);
	}

	/**
	 * The pub/sub channels with at least one subscriber, and the subscribers of each.
	 */
	Map<String, Long> channelSubscribers() {
		@SuppressWarnings("unchecked")
		List<Object> channels = (List<Object>) command("PUBSUB", "CHANNELS");
		Map<String, Long> subscribers = new HashMap<>();
		if (channels.isEmpty()) {
			return subscribers;
		}
		List<String> numsub = new ArrayList<>(List.of("PUBSUB", "NUMSUB"));
		channels.forEach((channel) -> numsub.add((String) channel));
		@SuppressWarnings("unchecked")
		List<Object> reply = (List<Object>) command(numsub.toArray(String[]::new));
		for (int i = 0; i < reply.size(); i += 2) {
			subscribers.put((String) reply.get(i), (Long) reply.get(i + 1));
		}
		return subscribers;
	}

	private Object command(String... args) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			socket.setSoTimeout(10_000);
			StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
			for (String arg : args) {
				request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
					.append("\r\n");
			}
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			return reply(new BufferedInputStream(socket.getInputStream()));
		}
		catch (IOException ex) {
			throw new IllegalStateException("Redis on port " + this.port + " did not answer", ex);
		}
	}

	private static Object reply(InputStream in) throws IOException {
		String line = line(in);
		char type = line.charAt(0);
		String rest = line.substring(1);
		switch (type) {
			case '+':
				return rest;
			case ':':
				return Long.parseLong(rest);
			case '$':
				byte[] bulk = in.readNBytes(Integer.parseInt(rest));
				line(in);
				return new String(bulk, StandardCharsets.UTF_8);
			case '*':
				List<Object> items = new ArrayList<>();
				for (int i = Integer.parseInt(rest); i > 0; i--) {
					items.add(reply(in));
				}
				return items;
			default:
				throw new IOException("Redis answered " + line);
		}
	}

	private static String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int c = in.read(); c != -1; c = in.read()) {
			if (c == '\r') {
				in.read();
				return line.toString();
			}
			line.append((char) c);
		}
		throw new IOException("Connection closed");
	}

}
