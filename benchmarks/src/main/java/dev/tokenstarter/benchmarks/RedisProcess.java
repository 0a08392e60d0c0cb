package dev.tokenstarter.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the benchmark's own on a free loopback port, never the machine's Redis on 6379,
 * which other engineers' builds share: its command counts would not be ours. Persistence is off, so nothing is
 * written to disk.
 */
public final class RedisProcess implements AutoCloseable {

	/** Commands that no token call sends: our own counting, and Redisson's connection keep-alive. */
	private static final Set<String> NOT_FROM_CALLS = Set.of("info", "ping");

	private final int port;

	private final Process process;

	private RedisProcess(int port, Process process) {
		this.port = port;
		this.process = process;
	}

	public static RedisProcess start() {
		int port = freePort();
		Process process;
		try {
			process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
					"--save", "", "--appendonly", "no")
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("redis-server must be installed (apt-get install redis-server)", ex);
		}
		RedisProcess redis = new RedisProcess(port, process);
		redis.awaitReady();
		return redis;
	}

	public String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	/**
	 * Returns how often Redis ran each command since it started, from {@code INFO commandstats}.
	 */
	public Map<String, Long> commandCounts() {
		Map<String, Long> counts = new HashMap<>();
		for (String line : info("commandstats").split("\r\n")) {
			if (line.startsWith("cmdstat_")) {
				String name = line.substring("cmdstat_".length(), line.indexOf(':'));
				int calls = line.indexOf("calls=") + "calls=".length();
				counts.put(name, Long.parseLong(line.substring(calls, line.indexOf(',', calls))));
			}
		}
		return counts;
	}

	/**
	 * Returns the bytes Redis has allocated for its data and itself, {@code used_memory} of {@code INFO memory}.
	 */
	public long usedMemory() {
		for (String line : info("memory").split("\r\n")) {
			if (line.startsWith("used_memory:")) {
				return Long.parseLong(line.substring("used_memory:".length()));
			}
		}
		throw new IllegalStateException("INFO memory without used_memory");
	}

	/**
	 * Returns how many keys database 0 holds, from {@code INFO keyspace}.
	 */
	public long keyCount() {
		for (String line : info("keyspace").split("\r\n")) {
			if (line.startsWith("db0:keys=")) {
				return Long.parseLong(line.substring("db0:keys=".length(), line.indexOf(',')));
			}
		}
		return 0;
	}

	/**
	 * Deletes every key, as if the fleet had never stored anything.
	 */
	public void flushAll() {
		String reply = send("*1\r\n$8\r\nFLUSHALL\r\n", (in, header) -> header);
		if (!reply.equals("+OK")) {
			throw new IllegalStateException("Unexpected Redis reply: " + reply);
		}
	}

	/**
	 * Returns the commands run between two {@link #commandCounts()}, leaving out those no token call sends.
	 */
	public static Map<String, Long> callCommands(Map<String, Long> before, Map<String, Long> after) {
		Map<String, Long> delta = new HashMap<>();
		after.forEach((command, calls) -> {
			long added = calls - before.getOrDefault(command, 0L);
			if (added > 0 && !NOT_FROM_CALLS.contains(command)) {
				delta.put(command, added);
			}
		});
		return delta;
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	private void awaitReady() {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("redis-server exited at start on port " + this.port);
			}
			try {
				info("server");
				return;
			}
			catch (IllegalStateException notYet) {
				sleep(20);
			}
		}
		close();
		throw new IllegalStateException("redis-server did not answer on port " + this.port);
	}

	/**
	 * Sends {@code INFO section} over a plain socket (no client library, so nothing of ours sends other
	 * commands) and returns the bulk string it answers.
	 */
	private String info(String section) {
		return send("*2\r\n$4\r\nINFO\r\n$" + section.length() + "\r\n" + section + "\r\n", (in, header) -> {
			if (!header.startsWith("$")) {
				throw new IllegalStateException("Unexpected Redis reply: " + header);
			}
			return new String(in.readNBytes(Integer.parseInt(header.substring(1))), StandardCharsets.UTF_8);
		});
	}

	/**
	 * Sends one command in RESP and reads its reply from the header line on.
	 */
	private String send(String command, Reply reply) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write(command.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			return reply.read(in, line(in));
		}
		catch (IOException ex) {
			throw new IllegalStateException("Redis on port " + this.port + " did not answer", ex);
		}
	}

	private interface Reply {

		String read(InputStream in, String header) throws IOException;

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

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
