package dev.tokenstarter.reliability.runner;

import java.time.Duration;
import java.util.List;

import dev.tokenstarter.reliability.runner.FleetProcess.Event;

/**
 * Experiment 4: Redis stopped with SIGSTOP (its connections stay open, nothing answers) across a renewal, then
 * continued. No call may fail while the provider is up, and every instance that worked alone must be back on
 * Redis within 5 s of Redis answering again.
 */
final class RedisStopped implements Experiment {

	private static final long REJOIN_BOUND_MILLIS = 5000;

	/**
	 * How long after {@code resumed} an instance worked alone: until its first report of working with Redis
	 * again, if it was alone then; never, if it never reported it.
	 */
	private static long rejoin(List<Event> changes, long resumed) {
		boolean aloneWhenResumed = changes.stream()
			.filter((event) -> event.millis() < resumed)
			.reduce((earlier, later) -> later)
			.map((last) -> last.field(0).equals("true"))
			.orElse(false);
		if (!aloneWhenResumed) {
			return 0;
		}
		return changes.stream()
			.filter((event) -> event.field(0).equals("false") && event.millis() >= resumed)
			.mapToLong((event) -> event.millis() - resumed)
			.min()
			.orElse(Long.MAX_VALUE);
	}

	@Override
	public int number() {
		return 4;
	}

	@Override
	public String name() {
		return "redis-stopped";
	}

	@Override
	public Result run(Harness harness) throws Exception {
		Scale scale = harness.scale();
		try (RedisServer redis = RedisServer.start();
				ProviderStub provider = new ProviderStub(scale.lifetime());
				ApiStub api = new ApiStub(provider, 16);
				Fleet fleet = Fleet.start(harness, name(), provider, api, List.of("spring.data.redis.url=" + redis.url()),
						scale.instances(), scale.callers(), scale.pace())) {
			long steady = fleet.startSteady();
			long last = provider.lastIssueMillis();
			Polling.pauseUntil(last + scale.lifetime().toMillis() / 3);
			long stopped = System.currentTimeMillis();
			redis.signal("STOP");
			long resumed;
			try {
				Polling.pause(scale.redisStop());
			}
			finally {
				// Taken before the signal, so that an instance that rejoins at once is not counted as never back.
				resumed = System.currentTimeMillis();
				redis.signal("CONT");
			}
			Polling.pause(Duration.ofMillis(REJOIN_BOUND_MILLIS + 1000));
			long alone = 0;
			long rejoin = 0;
			for (FleetProcess instance : fleet.instances()) {
				List<Event> changes = instance.events("DEGRADED");
				if (changes.stream().anyMatch((event) -> event.field(0).equals("true"))) {
					alone++;
				}
				rejoin = Math.max(rejoin, rejoin(changes, resumed));
			}
			long failed = fleet.failedCallsFrom(steady);
			return new Result.Builder(number(), name()).seconds("stopped-for", resumed - stopped)
				.figure("instances-alone", alone)
				.figure("token-requests-during", provider.requestsBetween(stopped, resumed))
				.figure("token-requests", provider.requests())
				.seconds("rejoin", rejoin)
				.figure("failed-calls", failed)
				.figure("failed-calls-at-start", fleet.failedCallsBefore(steady))
				.figure("api-401", api.rejected())
				.figure("calls", fleet.calls().size())
				.require(failed == 0, "failed-calls")
				.require(rejoin <= REJOIN_BOUND_MILLIS, "rejoin")
				.build();
		}
	}

}
