package dev.tokenstarter.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The annotation's part of the context cache key, and one stub per context, gone with it.
 */
class TokenProviderContextCustomizerTests {

	private final TokenProviderContextCustomizerFactory factory = new TokenProviderContextCustomizerFactory();

	@Test
	void equalAttributesShareAContextAndOthersDoNot() {
		assertThat(this.factory.createContextCustomizer(Plain.class, List.of())).isNull();
		assertThat(this.factory.createContextCustomizer(Stubbed.class, List.of()))
			.isEqualTo(this.factory.createContextCustomizer(AlsoStubbed.class, List.of()))
			.hasSameHashCodeAs(this.factory.createContextCustomizer(AlsoStubbed.class, List.of()))
			.isEqualTo(this.factory.createContextCustomizer(Stubbed.Nested.class, List.of()))
			.isNotEqualTo(this.factory.createContextCustomizer(OtherProviders.class, List.of()))
			.isNotEqualTo(this.factory.createContextCustomizer(OtherLifetime.class, List.of()));
	}

	@Test
	void eachContextHasAStubOfItsOwnStoppedWithIt() throws Exception {
		TokenProviderContextCustomizer customizer = new TokenProviderContextCustomizer(Set.of(), Duration.ofHours(1));
		GenericApplicationContext first = context(customizer);
		GenericApplicationContext second = context(customizer);
		TokenProviderStub firstStub = first.getBean(TokenProviderStub.class);
		TokenProviderStub secondStub = second.getBean(TokenProviderStub.class);

		assertThat(firstStub.url()).isNotEqualTo(secondStub.url());
		assertThat(first.getEnvironment().getProperty("token.providers.payments.token-uri"))
			.isEqualTo(firstStub.url() + "/payments/token");
		assertThat(status(firstStub.url())).isEqualTo(404);

		first.close();
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> status(firstStub.url()));
		assertThat(status(secondStub.url())).isEqualTo(404);
		second.close();
	}

	private static GenericApplicationContext context(TokenProviderContextCustomizer customizer) {
		GenericApplicationContext context = new GenericApplicationContext();
		context.setEnvironment(new MockEnvironment()
			.withProperty("token.providers.payments.token-uri", "https://auth.example.com/token")
			.withProperty("token.providers.payments.client-id", "payments"));
		customizer.customizeContext(context, null);
		context.refresh();
		return context;
	}

	private static int status(String url) throws IOException, InterruptedException {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(url + "/nowhere")).build(), HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

	static class Plain {

	}

	@AutoConfigureTokenProvider(providers = "payments")
	static class Stubbed {

		class Nested {

		}

	}

	@AutoConfigureTokenProvider(providers = "payments", tokenLifetime = "60m")
	static class AlsoStubbed {

	}

	@AutoConfigureTokenProvider(providers = { "payments", "nomba" })
	static class OtherProviders {

	}

	@AutoConfigureTokenProvider(providers = "payments", tokenLifetime = "30s")
	static class OtherLifetime {

	}

}
