package dev.tokenstarter.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * One log line per token event: obtained, renewed ahead of expiry, retried after a rejection, failed. Never a
 * token or secret: only provider names, lifetimes and error codes.
 */
public class LoggingTokenObserver implements TokenObserver {

	private static final Log logger = LogFactory.getLog("dev.tokenstarter.tokens");

	private final Clock clock;

	public LoggingTokenObserver(Clock clock) {
		this.clock = clock;
	}

	@Override
	public void obtained(ManagedToken token, boolean ahead) {
		if (logger.isInfoEnabled()) {
			String provider = token.authorizedClient().getClientRegistration().getRegistrationId();
			long seconds = (token.accessToken().getExpiresAt() != null)
					? Duration.between(this.clock.instant(), token.accessToken().getExpiresAt()).toSeconds() : -1;
			logger.info("Token of provider '" + provider + "' " + (ahead ? "renewed ahead of expiry" : "obtained")
					+ "; expires in " + seconds + " s, renewal from " + token.staleAt());
		}
	}

	@Override
	public void failed(TokenAcquisitionException failure) {
		logger.warn(failure.getMessage());
	}

	@Override
	public void freshTokenRejected(String provider, Instant renewalsResumeAt) {
		logger.warn("The API of provider '" + provider + "' refuses newly issued tokens: its rejections are returned "
				+ "to callers without renewing until " + renewalsResumeAt
				+ " (check the token's audience, scopes and type against what the API expects)");
	}

	@Override
	public void unauthorizedRetry(String provider, boolean success) {
		if (logger.isInfoEnabled()) {
			logger.info("API of provider '" + provider + "' rejected the token; request retried with a new one: "
					+ (success ? "accepted" : "rejected again"));
		}
	}

}
