package dev.tokenstarter.client;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;

/**
 * The body of a {@code WebClient} request, kept as its first sending writes it, so that the request can be sent
 * again after the API rejects its token or asks for a DPoP nonce.
 * <p>
 * A body's inserter cannot be trusted to write the same body twice: the publisher of an inbound request's body a
 * service passes on can be subscribed once, and a stream already read gives nothing the second time, which would
 * send the call again with an empty or failed body. So the bytes are copied as they are written, with the headers
 * the body's writer set (its type and length), and the second sending writes the copy. A file goes out from the file
 * again. What cannot be kept is not sent twice: a body larger than {@link #MAX_BYTES} (Spring's default limit of
 * a body held in memory), one written as a stream of flushed parts, or one whose sending the API answered before it
 * ended.
 * <p>
 * A request without a body is sent again as it is and costs nothing here: the hot path's calls carry none.
 */
final class ResendableBody {

	/** The largest body kept to be sent again. */
	static final int MAX_BYTES = 256 * 1024;

	/** The headers a body's writer sets on the message, which describe the body and go with it. */
	private static final String[] BODY_HEADERS = { HttpHeaders.CONTENT_TYPE, HttpHeaders.CONTENT_LENGTH,
			HttpHeaders.CONTENT_ENCODING };

	private static final int FILE_BUFFER_BYTES = 8192;

	private final ClientRequest request;

	private final List<byte[]> parts = new ArrayList<>();

	private int size;

	/** How the body and the headers that describe it are written again; null until the first sending wrote it whole. */
	private volatile @Nullable Function<ClientHttpRequest, Mono<Void>> rewrite;

	private ResendableBody(ClientRequest request) {
		this.request = request;
	}

	/**
	 * Returns what will keep a request's body.
	 * @param request the caller's request
	 * @return null for a request without a body, which is sent again as it is
	 */
	static @Nullable ResendableBody of(ClientRequest request) {
		return (request.body() == BodyInserters.empty()) ? null : new ResendableBody(request);
	}

	/**
	 * Returns the request to send first: the caller's, with a body that is kept as it is written.
	 */
	ClientRequest keeping() {
		BodyInserter<?, ? super ClientHttpRequest> inserter = this.request.body();
		return ClientRequest.from(this.request)
			.body((message, context) -> inserter.insert(new Recording(message), context))
			.build();
	}

	/**
	 * Returns the request to send again, with the body its first sending wrote.
	 * @return the request, or null when its body cannot be sent again
	 */
	@Nullable ClientRequest again() {
		Function<ClientHttpRequest, Mono<Void>> rewrite = this.rewrite;
		return (rewrite != null)
				? ClientRequest.from(this.request).body((message, context) -> rewrite.apply(message)).build() : null;
	}

	private void keep(DataBuffer buffer) {
		if (this.size > MAX_BYTES) {
			return;
		}
		int length = buffer.readableByteCount();
		this.size += length;
		if (this.size > MAX_BYTES) {
			this.parts.clear();
			return;
		}
		byte[] part = new byte[length];
		buffer.toByteBuffer(buffer.readPosition(), ByteBuffer.wrap(part), 0, length);
		this.parts.add(part);
	}

	private void written(HttpHeaders headers) {
		if (this.size > MAX_BYTES) {
			return;
		}
		List<byte[]> body = List.copyOf(this.parts);
		written(headers, (message) -> message.writeWith(
				Flux.fromIterable(body).map((part) -> message.bufferFactory().wrap(part))));
	}

	private void written(HttpHeaders headers, Function<ClientHttpRequest, Mono<Void>> rewrite) {
		HttpHeaders described = new HttpHeaders();
		for (String name : BODY_HEADERS) {
			String value = headers.getFirst(name);
			if (value != null) {
				described.set(name, value);
			}
		}
		this.rewrite = (message) -> {
			described.forEach((name, values) -> {
				if (!message.getHeaders().containsHeader(name)) {
					message.getHeaders().put(name, values);
				}
			});
			return rewrite.apply(message);
		};
	}

	private static Mono<Void> writeFile(ClientHttpRequest message, Path file, long position, long count) {
		if (message instanceof ZeroCopyHttpOutputMessage zeroCopy) {
			return zeroCopy.writeWith(file, position, count);
		}
		return message.writeWith(DataBufferUtils.takeUntilByteCount(
				DataBufferUtils.read(new FileSystemResource(file), position, message.bufferFactory(), FILE_BUFFER_BYTES),
				count));
	}

	/**
	 * The message of the first sending, which keeps what its body's writer writes. It offers the zero-copy write
	 * of a file whatever its message does, since a file is sent again from the file.
	 */
	private final class Recording extends ClientHttpRequestDecorator implements ZeroCopyHttpOutputMessage {

		Recording(ClientHttpRequest delegate) {
			super(delegate);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			if (body instanceof Mono<? extends DataBuffer> single) {
				return super.writeWith(single.doOnNext(ResendableBody.this::keep)
					.doOnSuccess((buffer) -> written(getHeaders())));
			}
			return super.writeWith(
					Flux.from(body).doOnNext(ResendableBody.this::keep).doOnComplete(() -> written(getHeaders())));
		}

		@Override
		public Mono<Void> writeWith(Path file, long position, long count) {
			return writeFile(getDelegate(), file, position, count).doOnSuccess((done) -> written(getHeaders(),
					(message) -> writeFile(message, file, position, count)));
		}

		@Override
		public Mono<Void> setComplete() {
			return super.setComplete().doOnSuccess((done) -> written(getHeaders(), ClientHttpRequest::setComplete));
		}

	}

}
