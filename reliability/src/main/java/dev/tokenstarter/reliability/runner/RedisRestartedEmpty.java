package dev.tokenstarter.reliability.runner;

import java.util.List;

/**
 * Experiment 3: Redis killed (SIGKILL) and started again empty on the same port while the fleet calls, a fifth of
 * a lifetime after the last token of the warm-up. No call may fail, and the fleet must make one token request in
 * the lifetime after the restart (the renewal that lifetime calls for), not one per instance.
 */
final class RedisRestartedEmpty implements Experiment {

	@Override
	public int number() {
		return 3;
	}

	@Override
	public String name() {
		return "redis-restarted-empty";
	}

	@Override
	public Result run(Harness harness) throws Exception {
		Scale scale = harness.scale();
		long lifetime = scale.lifetime().toMillis();
		try (RedisServer redis = RedisServer.start();
				ProviderStub provider = new ProviderStub(scale.lifetime());
				ApiStub api = new ApiStub(provider, 16);
				Fleet fleet = Fleet.start(harness, name(), provider, api, List.of("spring.data.redis.url=" + redis.url()),
						scale.instances(), scale.callers(), scale.pace())) {
			long steady = fleet.startSteady();
			long last = provider.lastIssueMillis();
			Polling.pauseUntil(last + lifetime / 5);
			redis.kill();
			redis.restart();
			long restarted = System.currentTimeMillis();
			Polling.pauseUntil(restarted + lifetime);
			long after = provider.requestsBetween(restarted, restarted + lifetime);
			long failed = fleet.failedCallsFrom(steady);
			return new Result.Builder(number(), name()).figure("token-requests-in-lifetime-after", after)
				.figure("token-requests", provider.requests())
				.figure("failed-calls", failed)
				.figure("failed-calls-at-start", fleet.failedCallsBefore(steady))
				.figure("api-401", api.rejected())
				.figure("calls", fleet.calls().size())
				.require(failed == 0, "failed-calls")
				.require(after == 1, "one-token-request")
				.build();
		}
	}

}
