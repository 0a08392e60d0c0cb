package dev.tokenstarter.hostile;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * The well-formed token values the provider stub handed out, and which of them its API accepts. Anything else
 * the API sees was refused, or should have been, by the engine.
 */
final class IssuedTokens {

	private final AtomicInteger sequence = new AtomicInteger();

	private final Set<String> issued = ConcurrentHashMap.newKeySet();

	private final Set<String> valid = ConcurrentHashMap.newKeySet();

	/**
	 * Returns a value never handed out before, starting with {@code prefix}.
	 */
	String unique(String prefix) {
		return prefix + "-" + this.sequence.incrementAndGet();
	}

	/**
	 * Hands out a well-formed value the API accepts.
	 */
	String valid(String value) {
		this.issued.add(value);
		this.valid.add(value);
		return value;
	}

	/**
	 * Hands out a well-formed value the API nevertheless rejects (revoked, or from a bad batch).
	 */
	String rejected(String value) {
		this.issued.add(value);
		return value;
	}

	boolean isIssued(@Nullable String value) {
		return value != null && this.issued.contains(value);
	}

	boolean isValid(@Nullable String value) {
		return value != null && this.valid.contains(value);
	}

	void clear() {
		this.issued.clear();
		this.valid.clear();
	}

}
