package dev.tokenstarter.observe;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Tells every observer of the application, in order, each apart from the others and from the engine: an observer
 * that throws is logged (at WARN the first time for each of its events, then at DEBUG) and the event goes on to the
 * next one. An observer's failure must never change what the engine does: thrown while a renewal that obtained a
 * token is reported, it turned that success into a failure, which failed the callers, started the failure's
 * cooldown and, after a rejection, removed the token just saved from the store. Each event has a loop of its own
 * rather than one helper taking the call as a lambda: {@code lookup} runs on every call, where a capturing lambda
 * would allocate.
 */
public final class CompositeTokenObserver implements TokenObserver {

	private static final Log logger = LogFactory.getLog(CompositeTokenObserver.class);

	private final TokenObserver[] observers;

	/** The observers' events that threw already: each is told at WARN once. */
	private final Set<String> thrown = ConcurrentHashMap.newKeySet();

	private CompositeTokenObserver(List<TokenObserver> observers) {
		this.observers = observers.toArray(TokenObserver[]::new);
	}

	/**
	 * Returns one observer telling all of {@code observers}, one observer too, so that none of them can fail the
	 * engine.
	 */
	public static TokenObserver of(List<TokenObserver> observers) {
		if (observers.isEmpty()) {
			return TokenObserver.NONE;
		}
		return new CompositeTokenObserver(observers);
	}

	@Override
	public void lookup(String provider, Lookup result) {
		for (TokenObserver observer : this.observers) {
			try {
				observer.lookup(provider, result);
			}
			catch (RuntimeException ex) {
				threw(observer, "lookup", ex);
			}
		}
	}

	@Override
	public void waited(String provider, long nanos, boolean success) {
		for (TokenObserver observer : this.observers) {
			try {
				observer.waited(provider, nanos, success);
			}
			catch (RuntimeException ex) {
				threw(observer, "waited", ex);
			}
		}
	}

	@Override
	public void obtained(ManagedToken token, boolean ahead) {
		for (TokenObserver observer : this.observers) {
			try {
				observer.obtained(token, ahead);
			}
			catch (RuntimeException ex) {
				threw(observer, "obtained", ex);
			}
		}
	}

	@Override
	public void failed(TokenAcquisitionException failure) {
		for (TokenObserver observer : this.observers) {
			try {
				observer.failed(failure);
			}
			catch (RuntimeException ex) {
				threw(observer, "failed", ex);
			}
		}
	}

	@Override
	public void unauthorizedRetry(String provider, boolean success) {
		for (TokenObserver observer : this.observers) {
			try {
				observer.unauthorizedRetry(provider, success);
			}
			catch (RuntimeException ex) {
				threw(observer, "unauthorizedRetry", ex);
			}
		}
	}

	@Override
	public void freshTokenRejected(String provider, Instant renewalsResumeAt) {
		for (TokenObserver observer : this.observers) {
			try {
				observer.freshTokenRejected(provider, renewalsResumeAt);
			}
			catch (RuntimeException ex) {
				threw(observer, "freshTokenRejected", ex);
			}
		}
	}

	@Override
	public void lockWaited(String key, String outcome, long nanos) {
		for (TokenObserver observer : this.observers) {
			try {
				observer.lockWaited(key, outcome, nanos);
			}
			catch (RuntimeException ex) {
				threw(observer, "lockWaited", ex);
			}
		}
	}

	private void threw(TokenObserver observer, String event, RuntimeException failure) {
		String message = "TokenObserver " + observer.getClass().getName() + " threw on " + event + "; ignored: "
				+ failure;
		if (this.thrown.add(observer.getClass().getName() + '#' + event)) {
			logger.warn(message, failure);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(message, failure);
		}
	}

}
