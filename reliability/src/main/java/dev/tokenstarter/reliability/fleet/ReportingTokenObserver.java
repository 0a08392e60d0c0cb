package dev.tokenstarter.reliability.fleet;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Tells the runner how this instance's renewals take the fleet lock and end, so the runner can find the lock
 * holder to kill and count failed acquisitions.
 */
final class ReportingTokenObserver implements TokenObserver {

	private final FleetReport report;

	ReportingTokenObserver(FleetReport report) {
		this.report = report;
	}

	@Override
	public void lockWaited(String key, String outcome, long nanos) {
		// The key names a provider and, for a user's token, the user (the harness's users, no secret): experiment
		// 8 reads which user's lock an instance waited on.
		this.report.event("LOCK " + outcome + " " + key.replace(' ', '_'));
	}

	@Override
	public void obtained(ManagedToken token, boolean ahead) {
		this.report.event("OBTAINED " + (ahead ? "ahead" : "waited"));
	}

	@Override
	public void failed(TokenAcquisitionException failure) {
		this.report.event("RENEWAL_FAILED " + failure.getErrorCode());
	}

}
