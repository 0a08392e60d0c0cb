package dev.tokenstarter.reliability.runner;

import java.time.Duration;
import java.util.List;

import dev.tokenstarter.reliability.runner.Fleet.Call;

/**
 * Experiment 1: once the fleet runs on its first token, every token is revoked and the provider holds the next
 * token response; the instance holding the renewal lock (the first whose call was refused) is killed with SIGKILL
 * inside that window. Another instance must have a token within {@code lock-lease} + 1 s of the held
 * request, no caller may wait longer, and the dead instance's late token must never be used: two token requests after the revocation, the held one
 * and the survivor's.
 */
final class LockHolderKilled implements Experiment {

	/** When, after the held request arrived, the holder is killed. */
	private static final Duration KILL_AFTER = Duration.ofMillis(500);

	@Override
	public int number() {
		return 1;
	}

	@Override
	public String name() {
		return "lock-holder-killed";
	}

	@Override
	public Result run(Harness harness) throws Exception {
		Scale scale = harness.scale();
		try (RedisServer redis = RedisServer.start();
				ProviderStub provider = new ProviderStub(scale.lifetime());
				ApiStub api = new ApiStub(provider, 16)) {
			try (Fleet fleet = Fleet.start(harness, name(), provider, api, List.of("spring.data.redis.url=" + redis.url()),
					scale.instances(), scale.callers(), scale.pace())) {
				fleet.startSteady();
				provider.holdNext(scale.hold());
				long revoked = System.currentTimeMillis();
				int lastRevoked = provider.revokeAll();
				Polling.until(Duration.ofSeconds(20), "the held token request", () -> provider.heldArrivedMillis() > 0);
				long held = provider.heldArrivedMillis();
				List<FleetProcess> holders = fleet.instances()
					.stream()
					.filter((instance) -> instance.events("LOCK")
						.stream()
						.anyMatch((event) -> event.field(0).equals("acquired") && event.millis() >= revoked))
					.toList();
				// With the broken lock nobody reports taking it: the instance whose request is held is then
				// the first that asked, and any one of them stands for it.
				FleetProcess holder = holders.isEmpty() ? fleet.instances().get(0) : holders.get(0);
				Polling.pauseUntil(held + KILL_AFTER.toMillis());
				holder.kill();
				Polling.pauseUntil(held + scale.hold().toMillis() + 2000);
				String holderName = holder.name();
				List<Call> survivors = fleet.calls()
					.stream()
					.filter((call) -> !call.instance().equals(holderName) && call.endMillis() >= held)
					.toList();
				long firstToken = survivors.stream()
					.filter((call) -> call.ok() && Integer.parseInt(call.detail().substring(1)) > lastRevoked)
					.mapToLong(Call::endMillis)
					.min()
					.orElse(Long.MAX_VALUE);
				long maxWait = survivors.stream().mapToLong(Call::latencyMillis).max().orElse(0);
				long failed = survivors.stream().filter((call) -> !call.ok()).count();
				String heldToken = "t" + provider.heldSerial();
				long heldUses = fleet.calls()
					.stream().filter((call) -> call.detail().equals(heldToken)).count();
				long bound = scale.lease().toMillis() + 1000;
				long timeToToken = firstToken - held;
				return new Result.Builder(number(), name()).figure("lease", scale.lease().toSeconds() + "s")
					.figure("holders", holders.size())
					.figure("token-requests-after", provider.requestsBetween(revoked, Long.MAX_VALUE))
					.seconds("time-to-token", timeToToken)
					.seconds("max-wait", maxWait)
					.figure("failed-calls", failed)
					.figure("late-token-uses", heldUses)
					.figure("late-response-undelivered", provider.undelivered())
					.figure("calls", survivors.size())
					.require(holders.size() == 1, "one-holder")
					.require(timeToToken <= bound, "time-to-token")
					.require(maxWait <= bound, "max-wait")
					.require(failed == 0, "failed-calls")
					.require(heldUses == 0, "late-token")
					.require(provider.requestsBetween(revoked, Long.MAX_VALUE) == 2, "token-requests")
					.build();
			}
		}
	}

}
