package dev.tokenstarter.reliability.runner;

import java.time.Duration;
import java.util.List;

/**
 * Experiment 5: one instance's clock (the {@code Clock} bean the starter takes) runs ahead of the others' and of
 * the provider's, for several token lifetimes. The fleet must make at most the first token request and the
 * renewals the refresh settings call for, plus two (no storm), no call may fail, and the API must never see a token the provider holds expired.
 */
final class ClockAhead implements Experiment {

	@Override
	public int number() {
		return 5;
	}

	@Override
	public String name() {
		return "clock-ahead";
	}

	@Override
	public Result run(Harness harness) throws Exception {
		Scale scale = harness.scale();
		String offset = "harness.clock-offset=" + scale.clockOffset().toMillis() + "ms";
		try (RedisServer redis = RedisServer.start();
				ProviderStub provider = new ProviderStub(scale.clockLifetime());
				ApiStub api = new ApiStub(provider, 16);
				Fleet fleet = Fleet.start(harness, name(), provider.tokenUri(), api,
						List.of("spring.data.redis.url=" + redis.url()), scale.instances(), scale.callers(), scale.pace(),
						(index) -> (index == 0) ? List.of(offset) : List.of())) {
			fleet.startCalling();
			Polling.until(Duration.ofSeconds(20), "the first token", () -> provider.issued() > 0);
			Polling.pauseUntil(provider.firstIssueMillis() + scale.clockLifetime().toMillis() * scale.lifetimes());
			int requests = provider.requests();
			long due = Scale.renewalsDue(scale.clockLifetime().toMillis() * scale.lifetimes(), scale.clockLifetime());
			long failed = fleet.failedCalls();
			return new Result.Builder(number(), name()).figure("offset", scale.clockOffset().toSeconds() + "s")
				.figure("lifetime", scale.clockLifetime().toSeconds() + "s")
				.figure("lifetimes", scale.lifetimes())
				.figure("token-requests", requests)
				.figure("renewals-due", due)
				.figure("failed-calls", failed)
				.figure("api-401", api.rejected())
				.figure("calls", fleet.calls().size())
				.require(requests <= 1 + due + 2, "token-requests")
				.require(failed == 0, "failed-calls")
				.require(api.rejected() == 0, "expired-token-served")
				.build();
		}
	}

}
