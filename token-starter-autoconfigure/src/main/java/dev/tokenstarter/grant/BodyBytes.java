package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * Copies a joined response body out of its buffer and releases the buffer; an absent body becomes no bytes.
 */
public final class BodyBytes {

	private BodyBytes() {
	}

	/**
	 * Reads the first bytes of an answer's body, up to a bound, and drops the rest: for bodies only read to judge
	 * the answer or to log it, which a hostile server could make as large as it likes.
	 * @param response the answer
	 * @param maxBytes the most bytes read
	 * @return the bytes read; none when the body is empty
	 */
	public static Mono<byte[]> first(ClientResponse response, int maxBytes) {
		return of(DataBufferUtils.join(DataBufferUtils.takeUntilByteCount(
				response.body(BodyExtractors.toDataBuffers()), maxBytes)));
	}

	public static Mono<byte[]> of(Mono<DataBuffer> joined) {
		return joined.map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			return bytes;
		}).defaultIfEmpty(new byte[0]);
	}

}
