package dev.tokenstarter.sample.status;

import java.time.Clock;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * What the status page reads besides the Actuator endpoints: recent token events, and the demo provider's
 * controls and counts when there is a demo provider.
 */
@Configuration(proxyBeanMethods = false)
class StatusConfiguration {

	@Bean
	RecentTokenEvents recentTokenEvents() {
		return new RecentTokenEvents(Clock.systemUTC());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty("demo.provider.url")
	static class DemoControlConfiguration {

		@Bean
		RouterFunction<ServerResponse> demoControlProxy(WebClient.Builder builder,
				@Value("${demo.provider.url}") String url) {
			return new DemoControlProxy(builder.clone().baseUrl(url).build()).routes();
		}

	}

}
