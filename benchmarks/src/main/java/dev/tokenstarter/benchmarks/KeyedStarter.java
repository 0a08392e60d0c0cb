package dev.tokenstarter.benchmarks;

import java.io.IOException;

import dev.tokenstarter.engine.TokenKey;

/**
 * Case 6: the starter on the memory store holding 100 000 principals' tokens, each call asking for one of them.
 * Tokens are as long as the fixture's, each principal's different.
 */
final class KeyedStarter implements AutoCloseable {

	static final int KEYS = 100_000;

	private final StarterEngine engine;

	private final TokenKey[] keys;

	private KeyedStarter(StarterEngine engine, TokenKey[] keys) {
		this.engine = engine;
		this.keys = keys;
	}

	static KeyedStarter start() throws IOException {
		StarterEngine engine = StarterEngine.start("token.keys.max-held=" + KEYS);
		try {
			TokenKey[] keys = PrincipalKeys.save(engine, KEYS, Fixture.TOKEN_VALUE.length());
			PrincipalKeys.serve(engine, keys);
			return new KeyedStarter(engine, keys);
		}
		catch (RuntimeException ex) {
			engine.close();
			throw ex;
		}
	}

	StarterEngine engine() {
		return this.engine;
	}

	TokenKey key(int index) {
		return this.keys[index];
	}

	/**
	 * Fails the trial unless the header that left carries the key's own token: a case that sent the application
	 * token instead would not be measuring a keyed look-up.
	 */
	static void requireKeyToken(String client, int principal, String sentAuthorization) {
		String expected = "Bearer " + PrincipalKeys.tokenValue(principal, Fixture.TOKEN_VALUE.length());
		if (!expected.equals(sentAuthorization)) {
			throw new IllegalStateException(client + " sent Authorization '" + sentAuthorization
					+ "' for principal " + principal + ", expected that principal's token");
		}
	}

	@Override
	public void close() {
		this.engine.close();
	}

}
