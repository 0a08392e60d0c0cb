package dev.tokenstarter.reliability.runner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One master, one replica and three sentinels as real processes, ready to fail over: every sentinel knows the
 * replica and the other sentinels. A small copy of the autoconfigure module's test class of the same name.
 */
final class SentinelTopology implements AutoCloseable {

	static final String MASTER_NAME = "fleet-master";

	private final List<RedisServer> servers = new ArrayList<>();

	private final RedisServer master;

	private final RedisServer replica;

	private final List<RedisServer> sentinels;

	SentinelTopology() {
		this.master = started(RedisServer.start());
		this.replica = started(RedisServer.start());
		// Loads the master's data from the connection, without an RDB file.
		this.replica.command("CONFIG", "SET", "repl-diskless-load", "on-empty-db");
		this.replica.command("REPLICAOF", "127.0.0.1", Integer.toString(this.master.port()));
		Polling.until(Duration.ofSeconds(10), "the replica to sync",
				() -> info(this.replica, "replication").contains("master_link_status:up"));
		this.sentinels = List.of(started(RedisServer.startSentinel(MASTER_NAME, this.master.port())),
				started(RedisServer.startSentinel(MASTER_NAME, this.master.port())),
				started(RedisServer.startSentinel(MASTER_NAME, this.master.port())));
		Polling.until(Duration.ofSeconds(20), "the sentinels to know the replica and each other",
				() -> this.sentinels.stream().allMatch((sentinel) -> {
					List<String> replicas = strings(sentinel.command("SENTINEL", "REPLICAS", MASTER_NAME));
					List<String> others = strings(sentinel.command("SENTINEL", "SENTINELS", MASTER_NAME));
					return replicas.contains(Integer.toString(this.replica.port())) && replicas.contains("slave")
							&& others.stream().filter("name"::equals).count() == 2;
				}));
	}

	RedisServer replica() {
		return this.replica;
	}

	/**
	 * Asks the first sentinel to fail over now (a planned switchover: the old master keeps running).
	 */
	void failover() {
		this.sentinels.get(0).command("SENTINEL", "FAILOVER", MASTER_NAME);
	}

	/**
	 * Whether the sentinels name the replica as the master.
	 */
	boolean replicaIsMaster() {
		return this.sentinels.get(0)
			.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)
			.contains(Integer.toString(this.replica.port()));
	}

	/**
	 * Spring Boot's properties connecting through the sentinels.
	 */
	List<String> connectionProperties() {
		String nodes = this.sentinels.stream()
			.map((sentinel) -> "127.0.0.1:" + sentinel.port())
			.collect(Collectors.joining(","));
		return List.of("spring.data.redis.sentinel.master=" + MASTER_NAME, "spring.data.redis.sentinel.nodes=" + nodes);
	}

	static String info(RedisServer server, String section) {
		return String.valueOf(server.command("INFO", section).get(0));
	}

	private static List<String> strings(List<? extends Object> reply) {
		return reply.stream().map(String::valueOf).toList();
	}

	private RedisServer started(RedisServer server) {
		this.servers.add(server);
		return server;
	}

	@Override
	public void close() {
		this.servers.forEach(RedisServer::close);
	}

}
