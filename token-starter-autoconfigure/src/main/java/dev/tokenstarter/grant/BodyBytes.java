package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Copies a joined response body out of its buffer and releases the buffer; an absent body becomes no bytes.
 */
public final class BodyBytes {

	private BodyBytes() {
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
