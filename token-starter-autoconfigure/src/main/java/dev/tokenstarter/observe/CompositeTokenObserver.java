package dev.tokenstarter.observe;

import java.time.Instant;
import java.util.List;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Tells every observer of the application, in order.
 */
public final class CompositeTokenObserver implements TokenObserver {

	private final TokenObserver[] observers;

	private CompositeTokenObserver(List<TokenObserver> observers) {
		this.observers = observers.toArray(TokenObserver[]::new);
	}

	/**
	 * Returns one observer telling all of {@code observers}.
	 */
	public static TokenObserver of(List<TokenObserver> observers) {
		if (observers.isEmpty()) {
			return TokenObserver.NONE;
		}
		return (observers.size() == 1) ? observers.get(0) : new CompositeTokenObserver(observers);
	}

	@Override
	public void lookup(String provider, Lookup result) {
		for (TokenObserver observer : this.observers) {
			observer.lookup(provider, result);
		}
	}

	@Override
	public void waited(String provider, long nanos, boolean success) {
		for (TokenObserver observer : this.observers) {
			observer.waited(provider, nanos, success);
		}
	}

	@Override
	public void obtained(ManagedToken token, boolean ahead) {
		for (TokenObserver observer : this.observers) {
			observer.obtained(token, ahead);
		}
	}

	@Override
	public void failed(TokenAcquisitionException failure) {
		for (TokenObserver observer : this.observers) {
			observer.failed(failure);
		}
	}

	@Override
	public void unauthorizedRetry(String provider, boolean success) {
		for (TokenObserver observer : this.observers) {
			observer.unauthorizedRetry(provider, success);
		}
	}

	@Override
	public void freshTokenRejected(String provider, Instant renewalsResumeAt) {
		for (TokenObserver observer : this.observers) {
			observer.freshTokenRejected(provider, renewalsResumeAt);
		}
	}

	@Override
	public void lockWaited(String key, String outcome, long nanos) {
		for (TokenObserver observer : this.observers) {
			observer.lockWaited(key, outcome, nanos);
		}
	}

}
