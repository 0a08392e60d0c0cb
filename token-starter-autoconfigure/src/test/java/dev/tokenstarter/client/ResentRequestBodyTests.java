package dev.tokenstarter.client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.inSequence;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code WebClient} call whose token the API rejects is sent once more with the renewed token, and with the
 * body it was first sent with: a body whose publisher can be subscribed only once (an inbound request's body a
 * service passes on, a stream read as it goes) is sent again from what the first sending wrote, with the headers
 * that described it. A body too large to keep, or streamed, cannot be sent twice: the token is renewed for the
 * next calls and the caller gets the rejection.
 */
class ResentRequestBodyTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void aBodyThatCanBeReadOnlyOnceIsSentAgainWithTheRenewedToken() {
		String body = "{\"amount\":\"1500.00\",\"currency\":\"NGN\"}";
		run((api) -> {
			Sinks.Many<DataBuffer> once = Sinks.many().unicast().onBackpressureBuffer();
			once.tryEmitNext(DefaultDataBufferFactory.sharedInstance.wrap(body.getBytes(StandardCharsets.UTF_8)));
			once.tryEmitComplete();
			String answer = api.post()
				.uri(API_PATH)
				.contentType(MediaType.APPLICATION_JSON)
				.body(once.asFlux(), DataBuffer.class)
				.retrieve()
				.bodyToMono(String.class)
				.block(Duration.ofSeconds(10));
			assertThat(answer).isEqualTo("paid");
			assertThat(count(server, paymentsWith("T2").withRequestBody(equalTo(body))
				.withHeader("Content-Type", equalTo("application/json")))).isOne();
			assertThat(count(server, paymentsWith("T1").withRequestBody(equalTo(body)))).isOne();
		});
	}

	@Test
	void theHeadersTheBodysWriterSetAreSentAgainWithIt() {
		LinkedMultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("reference", "order 42");
		run((api) -> {
			api.post().uri(API_PATH).body(BodyInserters.fromFormData(form)).retrieve().toBodilessEntity().block();
			assertThat(count(server, paymentsWith("T2").withRequestBody(equalTo("reference=order+42"))
				.withHeader("Content-Type", equalTo("application/x-www-form-urlencoded"))
				.withHeader("Content-Length", equalTo("18")))).isOne();
			api.post()
				.uri(API_PATH)
				.bodyValue(Map.of("amount", 10))
				.retrieve()
				.toBodilessEntity()
				.block(Duration.ofSeconds(10));
			assertThat(count(server, paymentsWith("T2").withRequestBody(equalToJson("{\"amount\":10}"))
				.withHeader("Content-Type", equalTo("application/json")))).isOne();
		});
	}

	@Test
	void aFileIsSentAgainFromTheFile(@TempDir Path directory) throws Exception {
		byte[] content = new byte[300 * 1024];
		for (int i = 0; i < content.length; i++) {
			content[i] = (byte) i;
		}
		Path file = Files.write(directory.resolve("statement.bin"), content);
		run((api) -> {
			api.post()
				.uri(API_PATH)
				.contentType(MediaType.APPLICATION_OCTET_STREAM)
				.body(BodyInserters.fromResource(new FileSystemResource(file)))
				.retrieve()
				.toBodilessEntity()
				.block(Duration.ofSeconds(10));
			assertThat(count(server, paymentsWith("T2").withRequestBody(binaryEqualTo(content)))).isOne();
		});
	}

	@Test
	void aBodyTooLargeToKeepIsNotSentAgainButTheTokenIsRenewedForTheNextCalls() {
		byte[] large = new byte[ResendableBody.MAX_BYTES + 1];
		run((api) -> {
			Sinks.Many<DataBuffer> once = Sinks.many().unicast().onBackpressureBuffer();
			once.tryEmitNext(DefaultDataBufferFactory.sharedInstance.wrap(large));
			once.tryEmitComplete();
			HttpStatusCode status = api.post()
				.uri(API_PATH)
				.body(once.asFlux(), DataBuffer.class)
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode()))
				.block(Duration.ofSeconds(10));
			assertThat(status.value()).isEqualTo(401);
			assertThat(count(server, payments())).isOne();
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			String next = api.post().uri(API_PATH).bodyValue("small").retrieve().bodyToMono(String.class).block();
			assertThat(next).isEqualTo("paid");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void aBodyOfManyPartsIsSentAgainWhole() {
		run((api) -> {
			Flux<DataBuffer> parts = Flux.range(0, 50)
				.map((i) -> DefaultDataBufferFactory.sharedInstance.wrap(("part-" + i + ";").getBytes(StandardCharsets.UTF_8)));
			Sinks.Many<DataBuffer> once = Sinks.many().unicast().onBackpressureBuffer();
			parts.subscribe(once::tryEmitNext, (ex) -> { }, once::tryEmitComplete);
			api.post().uri(API_PATH).body(once.asFlux(), DataBuffer.class).retrieve().toBodilessEntity().block();
			String whole = Flux.range(0, 50).map((i) -> "part-" + i + ";").reduce(String::concat).block();
			assertThat(count(server, paymentsWith("T2").withRequestBody(equalTo(whole)))).isOne();
		});
	}

	private void run(ThrowingApiTest test) {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		server.stubFor(paymentWith("T1").willReturn(aResponse().withStatus(401)));
		server.stubFor(paymentWith("T2").willReturn(ok("paid")));
		EngineTestSupport.runner(server, this.clock, "acme").run((context) -> {
			context.getBean(TokenManager.class).token("acme").block();
			test.run(EngineTestSupport.apiClient(server, context.getBean(TokenClients.class), "acme"));
		});
	}

	private static MappingBuilder paymentWith(String token) {
		return post(urlPathEqualTo(API_PATH)).withHeader("Authorization", equalTo("Bearer " + token));
	}

	private static RequestPatternBuilder payments() {
		return postRequestedFor(urlPathEqualTo(API_PATH));
	}

	private static RequestPatternBuilder paymentsWith(String token) {
		return payments().withHeader("Authorization", equalTo("Bearer " + token));
	}

	@FunctionalInterface
	private interface ThrowingApiTest {

		void run(WebClient api) throws Exception;

	}

}
