package dev.tokenstarter.benchmarks;

import java.io.IOException;
import java.util.Map;

import dev.tokenstarter.client.TokenClientHttpRequestInterceptor;
import dev.tokenstarter.client.TokenExchangeFilterFunction;

/**
 * Case 5: the starter in fleet mode on a {@code redis-server} of its own, the token already in the near cache.
 * Before a figure is taken, a burst of calls must leave Redis's command counts unchanged: the near-cache path
 * must make no Redis command at all, and a figure from a path that does would not be measuring it.
 */
final class StarterOnRedis implements AutoCloseable {

	/** Enough calls to catch a command made on every call, or on every few. */
	private static final int BURST = 1000;

	private final RedisProcess redis;

	private final StarterEngine engine;

	private StarterOnRedis(RedisProcess redis, StarterEngine engine) {
		this.redis = redis;
		this.engine = engine;
	}

	static StarterOnRedis start() throws IOException {
		RedisProcess redis = RedisProcess.start();
		try {
			return new StarterOnRedis(redis, StarterEngine.startOnRedis(redis));
		}
		catch (IOException | RuntimeException ex) {
			redis.close();
			throw ex;
		}
	}

	TokenExchangeFilterFunction filter() {
		return this.engine.filter();
	}

	TokenClientHttpRequestInterceptor interceptor() {
		return this.engine.interceptor();
	}

	/**
	 * Makes a burst of calls and fails the trial if Redis ran any command meanwhile.
	 */
	void requireNoRedisCommands(String client, Runnable call) {
		Map<String, Long> before = this.redis.commandCounts();
		for (int i = 0; i < BURST; i++) {
			call.run();
		}
		Map<String, Long> commands = RedisProcess.callCommands(before, this.redis.commandCounts());
		if (!commands.isEmpty()) {
			throw new IllegalStateException(client + " on the Redis store sent Redis commands " + commands + " during "
					+ BURST + " calls with the token in the near cache; that path must send none");
		}
	}

	@Override
	public void close() {
		try {
			this.engine.close();
		}
		finally {
			this.redis.close();
		}
	}

}
