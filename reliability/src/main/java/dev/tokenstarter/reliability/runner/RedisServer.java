package dev.tokenstarter.reliability.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} (or a Sentinel) process on a free loopback port, never the machine's Redis on 6379.
 * A small copy of the autoconfigure module's test class of the same name (this module cannot depend on test
 * classes), plus what the faults need: a process id to stop and continue.
 */
final class RedisServer implements AutoCloseable {

	private final int port;

	private final List<String> leadingArguments;

	/** A replica's full sync writes an RDB file to the working directory whatever --save says. */
	private final Path workingDirectory;

	private @Nullable Process process;

	private RedisServer(int port, List<String> leadingArguments) {
		this.port = port;
		this.leadingArguments = leadingArguments;
		try {
			this.workingDirectory = Files.createTempDirectory("redis-" + port + "-");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static RedisServer start() {
		RedisServer server = new RedisServer(freePort(), List.of());
		server.restart();
		return server;
	}

	/**
	 * Starts a Sentinel watching a master on {@code masterPort} under {@code master}, with a quorum of one.
	 */
	static RedisServer startSentinel(String master, int masterPort) {
		try {
			Path config = Files.createTempFile("sentinel", ".conf");
			config.toFile().deleteOnExit();
			Files.writeString(config, "sentinel monitor " + master + " 127.0.0.1 " + masterPort + " 1\n");
			RedisServer sentinel = new RedisServer(freePort(), List.of(config.toString(), "--sentinel"));
			sentinel.restart();
			return sentinel;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	int port() {
		return this.port;
	}

	/**
	 * Starts the server on its port, empty: persistence is off.
	 */
	synchronized void restart() {
		List<String> command = new ArrayList<>(List.of("redis-server"));
		command.addAll(this.leadingArguments);
		command.addAll(List.of("--port", Integer.toString(this.port), "--bind", "127.0.0.1", "--save", "",
				"--appendonly", "no", "--protected-mode", "no"));
		try {
			this.process = new ProcessBuilder(command).directory(this.workingDirectory.toFile())
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("redis-server must be installed (apt-get install redis-server)", ex);
		}
		Polling.until(Duration.ofSeconds(10), "redis-server on port " + this.port + " to answer", this::answers);
	}

	/**
	 * Kills the server at once (SIGKILL), as a crash would.
	 */
	synchronized void kill() {
		Process running = this.process;
		if (running != null) {
			running.destroyForcibly();
			try {
				running.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}
	}

	/**
	 * Sends the server a signal by name ({@code STOP}, {@code CONT}): a stopped server keeps its connections open
	 * and answers nothing, unlike a killed one.
	 */
	synchronized void signal(String signal) {
		Process running = this.process;
		if (running == null) {
			throw new IllegalStateException("redis-server on port " + this.port + " is not running");
		}
		Processes.run("kill", "-" + signal, Long.toString(running.pid()));
	}

	@Override
	public void close() {
		kill();
	}

	boolean answers() {
		try {
			return "PONG".equals(command("PING").get(0));
		}
		catch (IllegalStateException notYet) {
			return false;
		}
	}

	/**
	 * Sends one command and returns the reply flattened to strings (bulk strings, integers and arrays).
	 */
	List<@Nullable String> command(String... arguments) {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			StringBuilder request = new StringBuilder("*" + arguments.length + "\r\n");
			for (String argument : arguments) {
				byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
				request.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
			}
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			List<@Nullable String> reply = new ArrayList<>();
			read(socket.getInputStream(), reply);
			return reply;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Redis on port " + this.port + " did not answer", ex);
		}
	}

	private static void read(InputStream in, List<@Nullable String> reply) throws IOException {
		String line = line(in);
		char type = line.charAt(0);
		String rest = line.substring(1);
		switch (type) {
			case '+', ':' -> reply.add(rest);
			case '-' -> throw new IllegalStateException("Redis error: " + rest);
			case '$' -> {
				int length = Integer.parseInt(rest);
				if (length < 0) {
					reply.add(null);
					return;
				}
				byte[] data = in.readNBytes(length + 2);
				reply.add(new String(data, 0, length, StandardCharsets.UTF_8));
			}
			case '*' -> {
				int count = Integer.parseInt(rest);
				for (int i = 0; i < count; i++) {
					read(in, reply);
				}
			}
			default -> throw new IllegalStateException("Unexpected Redis reply: " + line);
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

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
