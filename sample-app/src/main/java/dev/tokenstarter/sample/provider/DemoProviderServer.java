package dev.tokenstarter.sample.provider;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Runs the demo provider on its own port, apart from the application's, so the app talks to it over HTTP
 * exactly as it would to a real provider. Starts before the application's web server and callers.
 */
public class DemoProviderServer implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DemoProviderServer.class);

	private final RouterFunction<ServerResponse> routes;

	private final int port;

	private volatile @Nullable DisposableServer server;

	public DemoProviderServer(RouterFunction<ServerResponse> routes, int port) {
		this.routes = routes;
		this.port = port;
	}

	@Override
	public void start() {
		ReactorHttpHandlerAdapter adapter = new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(this.routes));
		DisposableServer started = HttpServer.create().host("127.0.0.1").port(this.port).handle(adapter).bindNow();
		this.server = started;
		logger.info("Demo token provider listening on http://127.0.0.1:" + started.port());
	}

	@Override
	public void stop() {
		DisposableServer started = this.server;
		if (started != null) {
			started.disposeNow();
			this.server = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.server != null;
	}

	/** Before the web server (which starts at DEFAULT_PHASE - 1024) and the demo callers. */
	@Override
	public int getPhase() {
		return DEFAULT_PHASE - 2048;
	}

}
