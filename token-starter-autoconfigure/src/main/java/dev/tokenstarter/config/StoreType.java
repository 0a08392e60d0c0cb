package dev.tokenstarter.config;

/**
 * Where authorized clients are kept.
 */
public enum StoreType {

	/**
	 * In this process only: for a single instance.
	 */
	MEMORY,

	/**
	 * In Redis, shared by every instance, with a distributed renewal lock.
	 */
	REDIS

}
