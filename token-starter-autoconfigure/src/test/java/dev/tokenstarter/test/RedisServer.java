package dev.tokenstarter.test;

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

/**
 * A real {@code redis-server} process on a free port, started and stopped by the tests (never the machine's
 * shared Redis on 6379). Can be killed and restarted on the same port to test outages.
 */
public final class RedisServer implements AutoCloseable {

	private final int port;

	/** Arguments before the options; a configuration file must come first. */
	private final List<String> leadingArguments;

	private final List<String> trailingArguments = new ArrayList<>();

	/**
	 * Where the server runs: a replica's full sync writes an RDB file to its working directory, whatever
	 * {@code --save} says, and it must not land in the project.
	 */
	private final Path workingDirectory;

	private Process process;

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

	public static RedisServer start() {
		RedisServer server = new RedisServer(freePort(), List.of());
		server.restart();
		return server;
	}

	/**
	 * Starts a Sentinel watching a master on {@code masterPort} under the name {@code master}.
	 */
	public static RedisServer startSentinel(String master, int masterPort) {
		try {
			Path config = Files.createTempFile("sentinel", ".conf");
			config.toFile().deleteOnExit();
			Files.writeString(config,
					"sentinel monitor " + master + " 127.0.0.1 " + masterPort + " 1\n");
			RedisServer sentinel = new RedisServer(freePort(), List.of(config.toString(), "--sentinel"));
			sentinel.restart();
			return sentinel;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Starts {@code size} cluster-enabled servers and joins them into one cluster with no replicas.
	 */
	public static List<RedisServer> startCluster(int size) {
		List<RedisServer> nodes = new ArrayList<>();
		List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
		try {
			for (int i = 0; i < size; i++) {
				Path directory = Files.createTempDirectory("redis-cluster");
				directory.toFile().deleteOnExit();
				RedisServer node = new RedisServer(freePort(), List.of());
				node.trailingArguments.addAll(List.of("--cluster-enabled", "yes", "--dir", directory.toString()));
				node.restart();
				nodes.add(node);
				create.add("127.0.0.1:" + node.port());
			}
			create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
			Process process = new ProcessBuilder(create).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException("redis-cli --cluster create failed: " + output);
			}
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			while (!nodes.stream().allMatch((node) -> node.command("CLUSTER", "INFO").get(0).contains("cluster_state:ok"))) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Redis cluster did not reach state ok");
				}
				sleep(50);
			}
			return nodes;
		}
		catch (IOException ex) {
			nodes.forEach(RedisServer::close);
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			nodes.forEach(RedisServer::close);
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Starts a server that also listens with TLS on {@code tlsPort} (the plain port stays for the tests' own
	 * commands).
	 */
	public static RedisServer startWithTls(int tlsPort, String certificate, String privateKey) {
		RedisServer server = new RedisServer(freePort(), List.of());
		server.trailingArguments.addAll(List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file",
				certificate, "--tls-key-file", privateKey, "--tls-auth-clients", "no"));
		server.restart();
		return server;
	}

	public String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	public int port() {
		return this.port;
	}

	public synchronized void restart() {
		try {
			List<String> command = new ArrayList<>(List.of("redis-server"));
			command.addAll(this.leadingArguments);
			command.addAll(List.of("--port", Integer.toString(this.port), "--bind", "127.0.0.1", "--save", "",
					"--appendonly", "no", "--protected-mode", "no"));
			command.addAll(this.trailingArguments);
			this.process = new ProcessBuilder(command).directory(this.workingDirectory.toFile())
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("redis-server must be installed (apt-get install redis-server)", ex);
		}
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() < deadline) {
			try {
				if ("PONG".equals(command("PING").get(0))) {
					return;
				}
			}
			catch (IllegalStateException notYet) {
				sleep(20);
			}
		}
		throw new IllegalStateException("redis-server did not start on port " + this.port);
	}

	/**
	 * Kills the server at once, as a crash would.
	 */
	public synchronized void kill() {
		if (this.process != null) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}
	}

	@Override
	public void close() {
		kill();
	}

	/**
	 * Sends one command and returns the reply flattened to strings (bulk strings, integers and arrays).
	 */
	public List<String> command(String... arguments) {
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
			List<String> reply = new ArrayList<>();
			read(socket.getInputStream(), reply);
			return reply;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Redis on port " + this.port + " did not answer", ex);
		}
	}

	/**
	 * Returns the keys matching a pattern that hold a token: the store's entries, less the traces its removals
	 * leave (a version and no token).
	 */
	public List<String> entriesHoldingTokens(String pattern) {
		List<String> holding = new ArrayList<>();
		for (String key : command("KEYS", pattern)) {
			if (!"hash".equals(command("TYPE", key).get(0)) || "1".equals(command("HEXISTS", key, "data").get(0))) {
				holding.add(key);
			}
		}
		return holding;
	}

	/**
	 * Returns how many times Redis ran {@code command} since it started (from INFO commandstats).
	 */
	public long calls(String command) {
		String stats = command("INFO", "commandstats").get(0);
		for (String line : stats.split("\r\n")) {
			if (line.startsWith("cmdstat_" + command.toLowerCase() + ":calls=")) {
				return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
			}
		}
		return 0;
	}

	private static void read(InputStream in, List<String> reply) throws IOException {
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
		int c;
		while ((c = in.read()) != -1) {
			if (c == '\r') {
				in.read();
				return line.toString();
			}
			line.append((char) c);
		}
		throw new IOException("Connection closed");
	}

	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
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
