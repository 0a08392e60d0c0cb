package dev.tokenstarter.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A TCP proxy in front of a {@code redis-server} that can hold back the answers to one command for a while, as a
 * Redis or network under load answers some commands late while the others come on time. The first answer to
 * pass on a connection after a slow command was sent on it is held back: with nothing else in flight on that
 * connection, the slow command's own; later answers on the connection wait behind it, as they would. It can
 * also cut the network altogether, and mend it.
 */
public final class SlowReadsProxy implements AutoCloseable {

	private final ServerSocket server;

	private final int target;

	private final Predicate<String> slowCommand;

	private final ExecutorService pumps = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "slow-reads-proxy");
		thread.setDaemon(true);
		return thread;
	});

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile long delayMillis;

	private boolean held;

	private volatile boolean cut;

	private SlowReadsProxy(int target, Predicate<String> slowCommand) throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.target = target;
		this.slowCommand = slowCommand;
		this.pumps.execute(this::accept);
	}

	/**
	 * Starts a proxy to a local Redis port that can slow down the answers to the commands {@code slowCommand}
	 * picks, as sent (RESP).
	 */
	public static SlowReadsProxy to(int port, Predicate<String> slowCommand) {
		try {
			return new SlowReadsProxy(port, slowCommand);
		}
		catch (IOException ex) {
			throw new IllegalStateException("The proxy cannot listen", ex);
		}
	}

	public String url() {
		return "redis://127.0.0.1:" + this.server.getLocalPort();
	}

	/**
	 * Holds back each answer to the slow command by {@code delay} from now on; zero answers at once again.
	 */
	public void slowDown(Duration delay) {
		this.delayMillis = delay.toMillis();
	}

	/**
	 * Holds back every answer, whatever was sent, until {@link #release()}: Redis, as seen through this proxy,
	 * answers nothing. Unlike a delay, which holds back the first answer read after a slow command and lets the
	 * answers that piled up behind it pass together, none gets through early.
	 */
	public synchronized void hold() {
		this.held = true;
	}

	/**
	 * Passes on the answers held back since {@link #hold()}, and those that follow, at once.
	 */
	public synchronized void release() {
		this.held = false;
		notifyAll();
	}

	/**
	 * Breaks the network between the clients and Redis without closing a connection, as when packets are
	 * dropped: from now on, whatever either side sends is lost, on the connections open and on those opened
	 * meanwhile, until {@link #mend()}.
	 */
	public void cut() {
		this.cut = true;
	}

	/**
	 * Mends the network after {@link #cut()}: the connections that lost data are closed, as a client closes a
	 * connection that stopped answering, and the connections opened from now on reach Redis.
	 */
	public void mend() {
		this.cut = false;
		this.sockets.forEach(SlowReadsProxy::closeQuietly);
	}

	private synchronized void awaitRelease() throws InterruptedException {
		while (this.held) {
			wait();
		}
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Socket redis = new Socket(InetAddress.getLoopbackAddress(), this.target);
				this.sockets.add(client);
				this.sockets.add(redis);
				AtomicBoolean slowAnswerNext = new AtomicBoolean();
				this.pumps.execute(() -> pump(client, redis, slowAnswerNext, true));
				this.pumps.execute(() -> pump(redis, client, slowAnswerNext, false));
			}
			catch (IOException ex) {
				// Closed while accepting: the proxy is stopping.
				return;
			}
		}
	}

	private void pump(Socket from, Socket to, AtomicBoolean slowAnswerNext, boolean commands) {
		byte[] buffer = new byte[16 * 1024];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
				if (this.cut) {
					continue;
				}
				if (commands) {
					String sent = new String(buffer, 0, read, StandardCharsets.US_ASCII);
					if (this.slowCommand.test(sent)) {
						slowAnswerNext.set(true);
					}
				}
				else {
					if (slowAnswerNext.getAndSet(false) && this.delayMillis > 0) {
						TimeUnit.MILLISECONDS.sleep(this.delayMillis);
					}
					awaitRelease();
				}
				out.write(buffer, 0, read);
				out.flush();
			}
		}
		catch (IOException ex) {
			// One side closed the connection: so does the proxy, on both sides.
			closeQuietly(from);
			closeQuietly(to);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already closed.
		}
	}

	@Override
	public void close() {
		closeQuietly(this.server);
		this.sockets.forEach(SlowReadsProxy::closeQuietly);
		this.pumps.shutdownNow();
	}

	private static void closeQuietly(ServerSocket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already closed.
		}
	}

}
