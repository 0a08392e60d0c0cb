package dev.tokenstarter.benchmarks;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;

/**
 * The {@code RestClient} counterpart of {@link InstantExchange}: a request factory whose requests answer 200 at
 * once without any I/O.
 */
final class InstantRequestFactory implements ClientHttpRequestFactory {

	private static final InstantRequestFactory INSTANCE = new InstantRequestFactory();

	@Override
	public InstantRequest createRequest(URI uri, HttpMethod method) {
		return new InstantRequest(method, uri);
	}

	static RestClient client(ClientHttpRequestInterceptor... interceptors) {
		RestClient.Builder builder = RestClient.builder().requestFactory(INSTANCE);
		for (ClientHttpRequestInterceptor interceptor : interceptors) {
			builder.requestInterceptor(interceptor);
		}
		return builder.build();
	}

	/**
	 * The measured call, the same for every case.
	 */
	static ResponseEntity<Void> call(RestClient client) {
		return client.get().uri(Fixture.API).retrieve().toBodilessEntity();
	}

	/**
	 * The measured call of a key's token: the key named in a request attribute, as an application names it.
	 */
	static ResponseEntity<Void> call(RestClient client, TokenKey key) {
		return client.get().uri(Fixture.API).attribute(TokenKeyAttributes.TOKEN_KEY, key).retrieve()
			.toBodilessEntity();
	}

	/**
	 * Sends one request through the interceptor and returns the {@code Authorization} header that left it.
	 */
	static String authorizationSent(ClientHttpRequestInterceptor interceptor) {
		AtomicReference<String> sent = new AtomicReference<>();
		call(client(interceptor, recorder(sent)));
		return sent.get();
	}

	/**
	 * Sends one request for a key's token through the interceptor and returns the {@code Authorization} header
	 * that left it.
	 */
	static String authorizationSent(ClientHttpRequestInterceptor interceptor, TokenKey key) {
		AtomicReference<String> sent = new AtomicReference<>();
		call(client(interceptor, recorder(sent)), key);
		return sent.get();
	}

	private static ClientHttpRequestInterceptor recorder(AtomicReference<String> sent) {
		return (request, body, execution) -> {
			sent.set(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
			return execution.execute(request, body);
		};
	}

	static final class InstantRequest extends AbstractClientHttpRequest {

		private final HttpMethod method;

		private final URI uri;

		InstantRequest(HttpMethod method, URI uri) {
			this.method = method;
			this.uri = uri;
		}

		@Override
		public HttpMethod getMethod() {
			return this.method;
		}

		@Override
		public URI getURI() {
			return this.uri;
		}

		@Override
		protected OutputStream getBodyInternal(HttpHeaders headers) {
			return OutputStream.nullOutputStream();
		}

		@Override
		protected ClientHttpResponse executeInternal(HttpHeaders headers) {
			return InstantResponse.OK;
		}

	}

	/**
	 * A bodiless 200. It holds no state, so one instance answers every request.
	 */
	static final class InstantResponse implements ClientHttpResponse {

		static final InstantResponse OK = new InstantResponse();

		private static final HttpHeaders NO_HEADERS = HttpHeaders.readOnlyHttpHeaders(new HttpHeaders());

		@Override
		public HttpStatusCode getStatusCode() {
			return HttpStatus.OK;
		}

		@Override
		public String getStatusText() {
			return HttpStatus.OK.getReasonPhrase();
		}

		@Override
		public HttpHeaders getHeaders() {
			return NO_HEADERS;
		}

		@Override
		public InputStream getBody() {
			return InputStream.nullInputStream();
		}

		@Override
		public void close() {
		}

	}

}
