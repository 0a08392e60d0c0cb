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
 * send the call again with an empty or failed body. So the bytes are copied as they are written, with every
 * header the body's writer set (its type with a multipart boundary, its length, a digest), and the second sending
 * writes the copy, a single buffer as a single buffer so that the connector frames it alike. A file goes out from
 * the file again. What cannot be kept is not sent twice: a body larger than {@link #MAX_BYTES} (Spring's default
 * limit of a body held in memory), one written as a stream of flushed parts, or one whose sending had not ended
 * when the API answered. Each writing of the body is kept apart, and the last one that ended whole is the one sent
 * again, as a connector following a redirect or a retrying filter further down the chain writes it more than once.
 * The copy is let go once the call is answered ({@link #forget}), since the answer and its exceptions keep the
 * request they answered.
 * <p>
 * A request without a body is sent again as it is and costs nothing here: the hot path's calls carry none.
 */
final class ResendableBody {

	/** The largest body kept to be sent again. */
	static final int MAX_BYTES = 256 * 1024;

	private static final int FILE_BUFFER_BYTES = 8192;

	private final ClientRequest request;

	/**
	 * How the body, and the headers its writer set, are written again: null until a writing of it ended whole, and
	 * once the call is answered.
	 */
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

	/**
	 * Lets go of the copy: the call is answered.
	 */
	void forget() {
		this.rewrite = null;
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
	 * One writing of the body: the message it writes to, which keeps what the body's writer writes and which
	 * headers it sets. It offers the zero-copy write of a file whatever its message does, since a file is sent
	 * again from the file.
	 */
	private final class Recording extends ClientHttpRequestDecorator implements ZeroCopyHttpOutputMessage {

		/** The message's headers before the body's writer ran: the request's own. */
		private final HttpHeaders before;

		private final List<byte[]> parts = new ArrayList<>();

		private int size;

		Recording(ClientHttpRequest delegate) {
			super(delegate);
			this.before = HttpHeaders.copyOf(delegate.getHeaders());
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			if (body instanceof Mono<? extends DataBuffer> single) {
				return super.writeWith(single.doOnNext(this::keep)).doOnSuccess((done) -> written(true));
			}
			return super.writeWith(Flux.from(body).doOnNext(this::keep)).doOnSuccess((done) -> written(false));
		}

		@Override
		public Mono<Void> writeWith(Path file, long position, long count) {
			return writeFile(getDelegate(), file, position, count)
				.doOnSuccess((done) -> written((message) -> writeFile(message, file, position, count)));
		}

		@Override
		public Mono<Void> setComplete() {
			return super.setComplete().doOnSuccess((done) -> written(ClientHttpRequest::setComplete));
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

		private void written(boolean single) {
			if (this.size > MAX_BYTES) {
				return;
			}
			List<byte[]> body = List.copyOf(this.parts);
			written(single
					? (message) -> message.writeWith(
							Mono.justOrEmpty(body.isEmpty() ? null : body.get(0)).map(message.bufferFactory()::wrap))
					: (message) -> message
						.writeWith(Flux.fromIterable(body).map((part) -> message.bufferFactory().wrap(part))));
		}

		/**
		 * Publishes how to write the body again, with the headers its writer set or changed: they replace the
		 * request's own on the second sending, as they did on the first.
		 */
		private void written(Function<ClientHttpRequest, Mono<Void>> body) {
			HttpHeaders set = new HttpHeaders();
			getHeaders().forEach((name, values) -> {
				if (!values.equals(this.before.get(name))) {
					set.put(name, values);
				}
			});
			ResendableBody.this.rewrite = (message) -> {
				set.forEach(message.getHeaders()::put);
				return body.apply(message);
			};
		}

	}

}
