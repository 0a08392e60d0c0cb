package dev.tokenstarter.client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.reactive.function.BodyInserter;
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
@ExtendWith(OutputCaptureExtension.class)
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
	void aFormIsSentAgainWithTheTypeAndLengthItsWriterSet() {
		LinkedMultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("reference", "order 42");
		run((api) -> {
			api.post().uri(API_PATH).body(BodyInserters.fromFormData(form)).retrieve().toBodilessEntity().block();
			assertThat(count(server, paymentsWith("T2").withRequestBody(equalTo("reference=order+42"))
				.withHeader("Content-Type", equalTo("application/x-www-form-urlencoded"))
				.withHeader("Content-Length", equalTo("18")))).isOne();
		});
	}

	@Test
	void aValueIsSentAgainAsItsEncoderWroteIt() {
		run((api) -> {
			api.post().uri(API_PATH).bodyValue(Map.of("amount", 10)).retrieve().toBodilessEntity().block();
			assertThat(count(server, paymentsWith("T1").withRequestBody(equalToJson("{\"amount\":10}")))).isOne();
			assertThat(count(server, paymentsWith("T2").withRequestBody(equalToJson("{\"amount\":10}"))
				.withHeader("Content-Type", equalTo("application/json")))).isOne();
		});
	}

	/**
	 * Spring's multipart writer replaces the request's {@code multipart/form-data} with one that names the boundary
	 * it wrote: the body sent again is delimited by that boundary, so it must go with that header.
	 */
	@Test
	void aMultipartBodyIsSentAgainWithTheBoundaryItWasWrittenWith() {
		run((api) -> {
			api.post()
				.uri(API_PATH)
				.contentType(MediaType.MULTIPART_FORM_DATA)
				.body(BodyInserters.fromMultipartData("reference", "order 42"))
				.retrieve()
				.toBodilessEntity()
				.block();
			LoggedRequest resent = lastPaymentWith("T2");
			String type = resent.getHeader("Content-Type");
			assertThat(type).startsWith("multipart/form-data").contains("boundary=");
			String boundary = type.substring(type.indexOf("boundary=") + "boundary=".length()).split(";")[0];
			assertThat(resent.getBodyAsString()).contains("--" + boundary).contains("order 42");
		});
	}

	/**
	 * A body written as one buffer goes out with its length, which the connector sets from the buffer: sent again
	 * as a stream of buffers, it went out chunked, which servers that require a length refuse.
	 */
	@Test
	void aBodyOfOneBufferIsSentAgainWithItsLength() {
		byte[] bytes = "{\"amount\":7}".getBytes(StandardCharsets.UTF_8);
		run((api) -> {
			api.post()
				.uri(API_PATH)
				.body(BodyInserters.fromDataBuffers(Mono.fromSupplier(() -> DefaultDataBufferFactory.sharedInstance.wrap(bytes))))
				.retrieve()
				.toBodilessEntity()
				.block();
			LoggedRequest resent = lastPaymentWith("T2");
			assertThat(resent.getHeader("Content-Length")).isEqualTo(Integer.toString(bytes.length));
			assertThat(resent.getBodyAsString()).isEqualTo("{\"amount\":7}");
		});
	}

	/**
	 * A header the body's own writer sets, such as a digest of the body, goes with the body it describes.
	 */
	@Test
	void aHeaderTheBodysWriterSetIsSentAgainWithIt() {
		byte[] bytes = "signed".getBytes(StandardCharsets.UTF_8);
		BodyInserter<byte[], ReactiveHttpOutputMessage> digested = (message, context) -> {
			message.getHeaders().set("Content-Digest", "sha-256=:c2lnbmVk:");
			return message.writeWith(Mono.just(message.bufferFactory().wrap(bytes)));
		};
		run((api) -> {
			api.post().uri(API_PATH).body(digested).retrieve().toBodilessEntity().block();
			assertThat(count(server, paymentsWith("T2").withRequestBody(equalTo("signed"))
				.withHeader("Content-Digest", equalTo("sha-256=:c2lnbmVk:")))).isOne();
		});
	}

	/**
	 * A filter further down the chain that sends a call again by itself (here on a 503) writes its body once per
	 * sending: the body sent again after the 401 is one body, not the writings put end to end.
	 */
	@Test
	void aBodyWrittenTwiceByAFilterDownTheChainIsSentAgainOnce() {
		server.stubFor(paymentWith("T1").atPriority(1).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
		run((api) -> {
			WebClient retrying = api.mutate()
				.filter((request, next) -> next.exchange(request)
					.flatMap((response) -> (response.statusCode().value() == 503)
							? response.releaseBody().then(next.exchange(request)) : Mono.just(response)))
				.build();
			Flux<DataBuffer> parts = Flux.defer(() -> Flux.just("part-1;", "part-2;")
				.map((part) -> DefaultDataBufferFactory.sharedInstance.wrap(part.getBytes(StandardCharsets.UTF_8))));
			retrying.post().uri(API_PATH).body(parts, DataBuffer.class).retrieve().toBodilessEntity().block();
			assertThat(count(server, paymentsWith("T1"))).isEqualTo(2);
			assertThat(lastPaymentWith("T2").getBodyAsString()).isEqualTo("part-1;part-2;");
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
	void aBodyTooLargeToKeepIsNotSentAgainButTheTokenIsRenewedForTheNextCalls(CapturedOutput output) {
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
			assertThat(output).contains("The API of provider 'acme' rejected its token (401), which is renewed, but "
					+ "the call is not sent again: its body could not be kept to be sent twice");
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
		server.stubFor(paymentWith("T1").atPriority(2).willReturn(aResponse().withStatus(401)));
		server.stubFor(paymentWith("T2").willReturn(ok("paid")));
		EngineTestSupport.runner(server, this.clock, "acme").run((context) -> {
			context.getBean(TokenManager.class).token("acme").block();
			test.run(EngineTestSupport.apiClient(server, context.getBean(TokenClients.class), "acme"));
		});
	}

	private static MappingBuilder paymentWith(String token) {
		return post(urlPathEqualTo(API_PATH)).withHeader("Authorization", equalTo("Bearer " + token));
	}

	private static LoggedRequest lastPaymentWith(String token) {
		List<LoggedRequest> sent = server.findAll(paymentsWith(token));
		assertThat(sent).hasSize(1);
		return sent.get(0);
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
