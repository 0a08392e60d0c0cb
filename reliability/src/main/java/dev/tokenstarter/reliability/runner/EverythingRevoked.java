package dev.tokenstarter.reliability.runner;

import java.time.Duration;
import java.util.List;

import dev.tokenstarter.reliability.runner.Fleet.Call;

/**
 * Experiment 7: every token revoked at the provider while each instance has many concurrent callers. The fleet
 * must re-authenticate exactly once, no call may be sent more than twice (one retry after its 401), and no call
 * may fail.
 */
final class EverythingRevoked implements Experiment {

	/** Long enough that no renewal ahead of expiry falls in the experiment. */
	private static final Duration LIFETIME = Duration.ofSeconds(60);

	private static final Duration STEADY = Duration.ofSeconds(2);

	private static final Duration AFTER = Duration.ofSeconds(5);

	@Override
	public int number() {
		return 7;
	}

	@Override
	public String name() {
		return "everything-revoked";
	}

	/**
	 * Every instance renews once after its first calls (see {@link Fleet#warmUp()}); the revocation's
	 * re-authentications are counted from the revocation on.
	 */
	@Override
	public Result run(Harness harness) throws Exception {
		Scale scale = harness.scale();
		try (RedisServer redis = RedisServer.start();
				ProviderStub provider = new ProviderStub(LIFETIME);
				ApiStub api = new ApiStub(provider, 32);
				Fleet fleet = Fleet.start(harness, name(), provider, api, List.of("spring.data.redis.url=" + redis.url()),
						scale.instances(), scale.revokeCallers(), scale.revokePace())) {
			long steady = fleet.startSteady();
			Polling.pause(STEADY);
			long revoked = System.currentTimeMillis();
			provider.revokeAll();
			Polling.pause(AFTER);
			long reauthentications = provider.requestsBetween(revoked, Long.MAX_VALUE);
			List<Call> calls = fleet.calls();
			long failedBefore = calls.stream()
				.filter((call) -> !call.ok() && call.endMillis() >= steady && call.endMillis() < revoked)
				.count();
			long failed = calls.stream().filter((call) -> !call.ok() && call.endMillis() >= revoked).count();
			int maxSends = api.maxSendsPerCall();
			return new Result.Builder(number(), name())
				.figure("callers", scale.instances() + "x" + scale.revokeCallers())
				.figure("reauthentications", reauthentications)
				.figure("token-requests", provider.requests())
				.figure("calls-resent", api.resentCalls())
				.figure("max-sends-per-call", maxSends)
				.figure("api-401", api.rejected())
				.figure("failed-calls-after", failed)
				.figure("failed-calls-before", failedBefore)
				.figure("failed-calls-at-start", fleet.failedCallsBefore(steady))
				.figure("calls", calls.size())
				.require(reauthentications == 1, "reauthentications")
				.require(maxSends <= 2, "resends")
				.require(failed + failedBefore == 0, "failed-calls")
				.build();
		}
	}

}
