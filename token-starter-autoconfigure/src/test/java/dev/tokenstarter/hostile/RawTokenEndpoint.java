package dev.tokenstarter.hostile;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token endpoint on a plain {@link ServerSocket}, so that a test decides every byte of every answer, down to
 * answers no HTTP server library would send: truncated bodies, resets, malformed chunks, silence. Serves one
 * request per connection and counts every request it read in full.
 */
final class RawTokenEndpoint implements Closeable {

	/** Longest a connection thread waits on a client; the clients under test give up far sooner. */
	private static final int SOCKET_TIMEOUT_MILLIS = 10_000;

	private final ServerSocket listener;

	private final IssuedTokens tokens;

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "raw-token-endpoint");
		thread.setDaemon(true);
		return thread;
	});

	private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

	private final AtomicInteger requests = new AtomicInteger();

	private volatile Answering answering;

	RawTokenEndpoint(IssuedTokens tokens, ProviderBehaviour behaviour) throws IOException {
		this.listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
		this.tokens = tokens;
		this.answering = new Answering(behaviour);
		this.threads.execute(this::accept);
	}

	int port() {
		return this.listener.getLocalPort();
	}

	/**
	 * Drops every open connection, forgets the count and answers with {@code behaviour} from now on.
	 */
	void reset(ProviderBehaviour behaviour) throws IOException {
		behave(behaviour);
		for (Socket connection : this.connections) {
			connection.close();
		}
		this.requests.set(0);
	}

	/**
	 * Answers with {@code behaviour} from now on, counting its requests from 1.
	 */
	void behave(ProviderBehaviour behaviour) {
		this.answering = new Answering(behaviour);
	}

	/**
	 * Returns how many requests were read since the last {@link #reset}.
	 */
	int requests() {
		return this.requests.get();
	}

	@Override
	public void close() throws IOException {
		this.listener.close();
		for (Socket connection : this.connections) {
			connection.close();
		}
		this.threads.shutdownNow();
	}

	private void accept() {
		while (!this.listener.isClosed()) {
			try {
				Socket connection = this.listener.accept();
				this.connections.add(connection);
				this.threads.execute(() -> serve(connection));
			}
			catch (IOException ex) {
				// The listener was closed: the test class is done.
				return;
			}
		}
	}

	private void serve(Socket connection) {
		try (connection) {
			connection.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
			InputStream in = new BufferedInputStream(connection.getInputStream());
			RawRequest request = RawRequest.read(in);
			if (request == null) {
				return;
			}
			this.requests.incrementAndGet();
			Answering current = this.answering;
			current.behaviour().answer(
					new ProviderExchange(current.count().incrementAndGet(), request, connection, in, this.tokens));
		}
		catch (IOException ex) {
			// The client gave up or the test reset the connection: many hostile behaviours are meant to end so.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.connections.remove(connection);
		}
	}

	private record Answering(ProviderBehaviour behaviour, AtomicInteger count) {

		Answering(ProviderBehaviour behaviour) {
			this(behaviour, new AtomicInteger());
		}

	}

}
