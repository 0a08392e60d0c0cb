package dev.tokenstarter.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A free port for the demo provider. The token providers' URLs are bound before any server starts, so the
 * port must be known up front rather than picked by the server.
 */
final class DemoProviderPort {

	private DemoProviderPort() {
	}

	static int find() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
