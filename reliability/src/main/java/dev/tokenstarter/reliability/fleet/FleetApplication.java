package dev.tokenstarter.reliability.fleet;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import org.redisson.api.RedissonClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenOperations;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.user.UserTokens;

/**
 * One instance of the fleet, in a JVM of its own: configured by the runner's command-line properties
 * ({@code token.*}, {@code spring.data.redis.*} and the harness's own {@code harness.*}), it reports
 * {@code READY}, starts its callers when the runner writes {@code start} on its standard input, renews the token
 * as an operator would ({@code POST /actuator/tokens/fleet}) on {@code refresh}, goes once through a user's
 * sign-in and call on {@code warm-up}, signs {@code n} users in on {@code sign-in n}, starts its callers as those
 * users on {@code users n}, and stops on {@code stop} or when the runner goes away (end of input).
 */
@SpringBootApplication(proxyBeanMethods = false)
public class FleetApplication {

	static final String PROVIDER = "fleet";

	public static void main(String[] args) throws Exception {
		SpringApplication application = new SpringApplication(FleetApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		try (ConfigurableApplicationContext context = application.run(args)) {
			FleetReport report = context.getBean(FleetReport.class);
			FleetCallers callers = context.getBean(FleetCallers.class);
			context.getBean(RedisWatch.class).start();
			report.event("READY");
			BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			for (String command = commands.readLine(); command != null && !command.equals("stop");
					command = commands.readLine()) {
				if (command.equals("start")) {
					callers.start(FleetCallers.Target.APPLICATION);
				}
				else if (command.equals("warm-up")) {
					context.getBean(FleetUsers.class)
						.warmUp(context.getEnvironment().getRequiredProperty("harness.instance"));
				}
				else if (command.startsWith("sign-in ")) {
					context.getBean(FleetUsers.class).signIn(count(command));
				}
				else if (command.startsWith("users ")) {
					callers.start(context.getBean(FleetUsers.class).target(count(command)));
				}
				else if (command.equals("refresh")) {
					refresh(context.getBean(TokenOperations.class), report);
				}
			}
			callers.stop();
			report.event("STOPPED");
		}
	}

	private static int count(String command) {
		return Integer.parseInt(command.substring(command.indexOf(' ') + 1));
	}

	private static void refresh(TokenOperations operations, FleetReport report) {
		try {
			operations.refresh(PROVIDER).block();
			report.event("REFRESHED");
		}
		catch (RuntimeException ex) {
			// The runner decides what a failed renewal means for its experiment; this instance keeps running.
			report.event("REFRESH_FAILED " + ex.getClass().getSimpleName());
		}
	}

	@Bean
	FleetReport fleetReport() {
		return new FleetReport(System.out);
	}

	/**
	 * The starter's clock, ahead of the machine's by {@code harness.clock-offset} (zero unless an experiment
	 * skews this instance).
	 */
	@Bean
	Clock clock(@Value("${harness.clock-offset:0s}") Duration offset) {
		return Clock.offset(Clock.systemUTC(), offset);
	}

	@Bean
	@ConditionalOnBooleanProperty("harness.broken-lock")
	TokenLock unlockedTokenLock() {
		return new UnlockedTokenLock();
	}

	@Bean
	ReportingTokenObserver reportingTokenObserver(FleetReport report) {
		return new ReportingTokenObserver(report);
	}

	/**
	 * Blocking {@code HttpURLConnection}s with keep-alive: the cheapest transport in CPU per call, so the shared
	 * cores go to the fleet's JVMs rather than to their HTTP clients.
	 */
	@Bean
	RestClient.Builder restClientBuilder() {
		return RestClient.builder().requestFactory(new SimpleClientHttpRequestFactory());
	}

	@Bean
	FleetCallers fleetCallers(TokenClients clients, FleetReport report, @Value("${harness.instance}") String instance,
			@Value("${harness.callers}") int callers, @Value("${harness.pace}") Duration pace) {
		return new FleetCallers(clients.restClient(PROVIDER), report, instance, callers, pace);
	}

	@Bean
	FleetUsers fleetUsers(UserTokens users, TokenClients clients, FleetReport report) {
		return new FleetUsers(users, clients.restClient(PROVIDER), report);
	}

	@Bean
	RedisWatch redisWatch(TokenLock lock, ObjectProvider<RedissonClient> redisson, FleetReport report) {
		return new RedisWatch(lock, redisson.getIfAvailable(), report);
	}

}
