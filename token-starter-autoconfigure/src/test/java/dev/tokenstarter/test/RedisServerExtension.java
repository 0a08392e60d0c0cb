package dev.tokenstarter.test;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link RedisServer} for a test class: started before its first test, emptied before each, killed after
 * the last.
 */
public final class RedisServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

	private RedisServer server;

	public RedisServer server() {
		return this.server;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.server = RedisServer.start();
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.server.command("FLUSHALL");
	}

	@Override
	public void afterAll(ExtensionContext context) {
		this.server.close();
	}

}
