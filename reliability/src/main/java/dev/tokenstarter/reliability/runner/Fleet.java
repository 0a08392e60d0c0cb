package dev.tokenstarter.reliability.runner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;

import dev.tokenstarter.reliability.runner.FleetProcess.Event;

/**
 * The instances of one experiment, configured as an application in fleet mode would be (the provider under
 * {@code token.providers.fleet}, Redis under {@code spring.data.redis}), started together and calling together.
 */
final class Fleet implements AutoCloseable {

	/** A harness-only AES-256 key (32 zero bytes): fleet mode refuses to start without one. */
	private static final String ENCRYPTION_KEY = "k1:" + Base64.getEncoder().encodeToString(new byte[32]);

	private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

	private final List<FleetProcess> instances;

	private Fleet(List<FleetProcess> instances) {
		this.instances = instances;
	}

	/**
	 * Starts the instances and waits until each reports it is ready; the callers wait for {@link #startCalling()}.
	 * @param tokenUri the provider's token endpoint; it takes {@link ProviderStub}'s client credentials
	 * @param properties the experiment's properties, in place of the harness's settings of the same names
	 * @param perInstance extra properties of the instance with the given index
	 */
	static Fleet start(Harness harness, String experiment, String tokenUri, ApiStub api, List<String> properties,
			int instances, int callers, Duration pace, InstanceProperties perInstance) {
		List<FleetProcess> started = new ArrayList<>();
		for (int i = 0; i < instances; i++) {
			String name = "i" + i;
			List<String> all = new ArrayList<>(List.of("token.providers.fleet.token-uri=" + tokenUri,
					"token.providers.fleet.client-id=" + ProviderStub.CLIENT_ID,
					"token.providers.fleet.client-secret=" + ProviderStub.CLIENT_SECRET,
					"token.providers.fleet.base-url=" + api.baseUrl(),
					"token.store.redis.encryption-keys=" + ENCRYPTION_KEY,
					"token.store.redis.lock-lease=" + harness.scale().lease().toMillis() + "ms",
					// Callers wait out a dead holder's lease rather than give up first (the default is 5 s).
					"token.providers.fleet.refresh.max-caller-wait="
							+ harness.scale().lease().plusSeconds(5).toMillis() + "ms",
					"logging.level.root=WARN", "harness.instance=" + name, "harness.callers=" + callers,
					"harness.pace=" + pace.toMillis() + "ms", "harness.broken-lock=" + harness.brokenLock()));
			List<String> own = new ArrayList<>(properties);
			own.addAll(perInstance.properties(i));
			// An experiment's own value of a setting replaces the harness's: a property given twice would be both.
			all.removeIf((property) -> own.stream().anyMatch((setting) -> name(setting).equals(name(property))));
			all.addAll(own);
			started.add(FleetProcess.start(name, harness.classpath(), all,
					harness.output().resolve(experiment).resolve(name + ".log")));
		}
		Fleet fleet = new Fleet(started);
		try {
			started.forEach((instance) -> instance.awaitReady(START_TIMEOUT));
		}
		catch (RuntimeException ex) {
			fleet.close();
			throw ex;
		}
		return fleet;
	}

	private static String name(String property) {
		return property.substring(0, property.indexOf('='));
	}

	static Fleet start(Harness harness, String experiment, ProviderStub provider, ApiStub api,
			List<String> properties, int instances, int callers, Duration pace) {
		return start(harness, experiment, provider.tokenUri(), api, properties, instances, callers, pace,
				(index) -> List.of());
	}

	void startCalling() {
		this.instances.forEach((instance) -> instance.send("start"));
	}

	/**
	 * Starts every instance's callers as users {@code 0} to {@code users - 1}, each call as one drawn at random:
	 * every user's calls land on every instance.
	 */
	void callAsUsers(int users) {
		this.instances.forEach((instance) -> instance.send("users " + users));
	}

	/**
	 * Has each instance in turn renew the token as an operator would, so that every JVM has been through a token
	 * request (class loading, first compilations, connections) like the instances of a fleet up for a while. Each
	 * must hold a token already: one that holds none takes the fleet's token from the store instead.
	 */
	void warmUp() {
		for (FleetProcess instance : this.instances) {
			int before = instance.events("REFRESHED").size() + instance.events("REFRESH_FAILED").size();
			instance.send("refresh");
			Polling.until(Duration.ofSeconds(30), instance.name() + " to renew its token",
					() -> instance.events("REFRESHED").size() + instance.events("REFRESH_FAILED").size() > before);
			if (!instance.events("REFRESH_FAILED").isEmpty()) {
				throw new IllegalStateException(instance.name() + " could not renew its token (see its log)");
			}
		}
	}

	/**
	 * Starts the callers and brings the fleet to a steady state before a fault: every instance has served calls
	 * and renewed once ({@link #warmUp()}).
	 * @return when the steady state began: calls that failed before it are the JVMs' start, not the fault's
	 */
	long startSteady() {
		startCalling();
		Polling.until(Duration.ofSeconds(60), "every instance's first successful call",
				() -> this.instances.stream()
					.allMatch((instance) -> instance.events("CALL").stream().anyMatch((call) -> call.field(0).equals("ok"))));
		warmUp();
		return System.currentTimeMillis();
	}

	/**
	 * Calls that failed before {@code millis}.
	 */
	long failedCallsBefore(long millis) {
		return calls().stream().filter((call) -> !call.ok() && call.endMillis() < millis).count();
	}

	/**
	 * Calls that failed from {@code millis} on.
	 */
	long failedCallsFrom(long millis) {
		return calls().stream().filter((call) -> !call.ok() && call.endMillis() >= millis).count();
	}

	List<FleetProcess> instances() {
		return this.instances;
	}

	/**
	 * Every call reported so far, by every instance.
	 */
	List<Call> calls() {
		return this.instances.stream()
			.flatMap((instance) -> instance.events("CALL").stream())
			.map(Call::of)
			.toList();
	}

	List<Event> events(String type) {
		return this.instances.stream().flatMap((instance) -> instance.events(type).stream()).toList();
	}

	long failedCalls() {
		return calls().stream().filter((call) -> !call.ok()).count();
	}

	@Override
	public void close() {
		// Stopped side by side: each may take a while to drain its callers.
		List<Thread> stopping = IntStream.range(0, this.instances.size())
			.mapToObj((i) -> new Thread(this.instances.get(i)::stop, "stop-" + this.instances.get(i).name()))
			.toList();
		stopping.forEach(Thread::start);
		for (Thread thread : stopping) {
			try {
				thread.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * The extra properties of one instance.
	 */
	@FunctionalInterface
	interface InstanceProperties {

		List<String> properties(int index);

	}

	/**
	 * One reported call.
	 * @param instance the instance that made it
	 * @param endMillis when it ended, on the machine's clock
	 * @param ok whether the API answered 200
	 * @param latencyMillis how long the caller waited
	 * @param detail the token's serial ({@code t<n>}) when ok, the exception's class otherwise
	 */
	record Call(String instance, long endMillis, boolean ok, long latencyMillis, String detail) {

		static Call of(Event event) {
			return new Call(event.instance(), event.millis(), event.field(0).equals("ok"),
					Long.parseLong(event.field(1)), event.field(2));
		}

		long startMillis() {
			return this.endMillis - this.latencyMillis;
		}

	}

}
