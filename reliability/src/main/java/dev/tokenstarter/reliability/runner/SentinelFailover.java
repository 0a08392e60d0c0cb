package dev.tokenstarter.reliability.runner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;


/**
 * Experiment 2: {@code SENTINEL FAILOVER} (the old master left running) half a lifetime after the last token of the warm-up,
 * with one master, one replica and three sentinels, while the fleet calls; a renewal then falls on the new master.
 * No call may fail, every instance must use the new master within {@code retry-interval} + 1 s of the sentinels
 * naming it, the new master must hold the fleet's token sealed (no token value in plain text) and the fleet must
 * not have lost it (at most one token request beyond the renewals the lifetime calls for).
 */
final class SentinelFailover implements Experiment {

	/** The {@code token.store.redis.timeout} the README advises on Sentinel: above what a failover takes. */
	private static final Duration STORE_TIMEOUT = Duration.ofSeconds(8);

	private static final Duration RETRY_INTERVAL = Duration.ofSeconds(5);

	@Override
	public int number() {
		return 2;
	}

	@Override
	public String name() {
		return "sentinel-failover";
	}

	@Override
	public Result run(Harness harness) throws Exception {
		Scale scale = harness.scale();
		long lifetime = scale.lifetime().toMillis();
		try (SentinelTopology topology = new SentinelTopology();
				ProviderStub provider = new ProviderStub(scale.lifetime());
				ApiStub api = new ApiStub(provider, 16)) {
			List<String> properties = new ArrayList<>(topology.connectionProperties());
			properties.add("token.store.redis.timeout=" + STORE_TIMEOUT.toMillis() + "ms");
			properties.add("token.store.redis.retry-interval=" + RETRY_INTERVAL.toMillis() + "ms");
			try (Fleet fleet = Fleet.start(harness, name(), provider, api, properties, scale.instances(),
					scale.callers(), scale.pace())) {
				long steady = fleet.startSteady();
				long last = provider.lastIssueMillis();
				int before = provider.requests();
				Polling.pauseUntil(last + lifetime / 2);
				long failover = System.currentTimeMillis();
				topology.failover();
				Polling.until(Duration.ofSeconds(30), "the sentinels to name the replica master",
						topology::replicaIsMaster);
				long promoted = System.currentTimeMillis();
				Polling.pauseUntil(failover + lifetime);
				String newMaster = Integer.toString(topology.replica().port());
				long switched = 0;
				for (FleetProcess instance : fleet.instances()) {
					switched = Math.max(switched, instance.events("MASTER")
						.stream()
						.filter((event) -> event.field(0).equals(newMaster))
						.mapToLong((event) -> Math.max(0, event.millis() - promoted))
						.min()
						.orElse(Long.MAX_VALUE));
				}
				List<String> stored = storedValues(topology.replica());
				long plaintext = stored.stream()
					.filter((value) -> provider.tokenValues().stream().anyMatch(value::contains))
					.count();
				long requests = provider.requests() - before;
				long allowed = Scale.renewalsDue(System.currentTimeMillis() - last, scale.lifetime()) + 1;
				long failed = fleet.failedCallsFrom(steady);
				return new Result.Builder(number(), name()).seconds("failover-to-promoted", promoted - failover)
					.seconds("fleet-on-new-master", switched)
					.figure("entries-on-new-master", stored.isEmpty() ? 0 : 1)
					.figure("plaintext-tokens", plaintext)
					.figure("token-requests", requests)
					.figure("renewals-due", allowed - 1)
					.figure("failed-calls", failed)
					.figure("failed-calls-at-start", fleet.failedCallsBefore(steady))
					.figure("api-401", api.rejected())
					.figure("calls", fleet.calls().size())
					.require(failed == 0, "failed-calls")
					.require(switched <= RETRY_INTERVAL.toMillis() + 1000, "new-master")
					.require(!stored.isEmpty(), "token-on-new-master")
					.require(plaintext == 0, "plaintext")
					.require(requests <= allowed, "token-requests")
					.build();
			}
		}
	}

	/**
	 * Every field and value the starter's token entries hold on {@code server}, as text; the traces removals leave
	 * (a version and no token) are no entries.
	 */
	private static List<String> storedValues(RedisServer server) {
		List<String> values = new ArrayList<>();
		for (String key : server.command("KEYS", "token-starter:client:*").stream().filter(Objects::nonNull).toList()) {
			if ("hash".equals(server.command("TYPE", key).get(0))
					&& "1".equals(server.command("HEXISTS", key, "data").get(0))) {
				server.command("HGETALL", key).stream().filter(Objects::nonNull).forEach(values::add);
			}
		}
		return values;
	}

}
