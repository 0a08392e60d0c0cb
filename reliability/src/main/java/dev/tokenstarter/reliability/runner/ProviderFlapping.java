package dev.tokenstarter.reliability.runner;

import java.time.Duration;
import java.util.List;

import dev.tokenstarter.reliability.runner.Fleet.Call;

/**
 * Experiment 6: the provider answers 30 % of token requests with 503 and takes 2 s over 20 % of them, for
 * several lifetimes. No call may fail while a valid token exists; the fleet obtains at most the first token and the renewals the
 * refresh settings call for, plus two, and makes at most {@code retry.max-attempts} token requests per acquisition (each token
 * obtained, and each acquisition its instance reported failed).
 */
final class ProviderFlapping implements Experiment {

	/** {@code retry.max-attempts}, the built-in default the fleet runs with. */
	private static final int MAX_ATTEMPTS = 4;

	@Override
	public int number() {
		return 6;
	}

	@Override
	public String name() {
		return "provider-flapping";
	}

	@Override
	public Result run(Harness harness) throws Exception {
		Scale scale = harness.scale();
		try (RedisServer redis = RedisServer.start();
				ProviderStub provider = new ProviderStub(scale.lifetime());
				ApiStub api = new ApiStub(provider, 16);
				Fleet fleet = Fleet.start(harness, name(), provider, api, List.of("spring.data.redis.url=" + redis.url()),
						scale.instances(), scale.callers(), scale.pace())) {
			provider.flap();
			fleet.startCalling();
			Polling.until(Duration.ofSeconds(60), "the first token", () -> provider.issued() > 0);
			Polling.pauseUntil(provider.firstIssueMillis() + scale.lifetime().toMillis() * scale.lifetimes());
			List<Call> calls = fleet.calls();
			long failedWhileValid = calls.stream()
				.filter((call) -> !call.ok() && provider.hadValidTokenAt(call.startMillis()))
				.count();
			long failed = calls.stream().filter((call) -> !call.ok()).count();
			int acquisitionsFailed = fleet.events("RENEWAL_FAILED").size();
			int issued = provider.issued();
			int requests = provider.requests();
			long due = Scale.renewalsDue(scale.lifetime().toMillis() * scale.lifetimes(), scale.lifetime());
			return new Result.Builder(number(), name()).figure("lifetimes", scale.lifetimes())
				.figure("token-requests", requests)
				.figure("answered-503", provider.failures())
				.figure("tokens-issued", issued)
				.figure("renewals-due", due)
				.figure("acquisitions-failed", acquisitionsFailed)
				.figure("failed-calls-with-valid-token", failedWhileValid)
				.figure("failed-calls", failed)
				.figure("api-401", api.rejected())
				.figure("calls", calls.size())
				.require(failedWhileValid == 0, "failed-calls")
				.require(issued <= 1 + due + 2, "tokens-per-lifetime")
				.require(requests <= MAX_ATTEMPTS * (issued + acquisitionsFailed), "requests-per-acquisition")
				.build();
		}
	}

}
