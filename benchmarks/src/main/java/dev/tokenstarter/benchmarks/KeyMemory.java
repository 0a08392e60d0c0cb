package dev.tokenstarter.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.tokenstarter.engine.TokenKey;

/**
 * How much heap the engine needs per key, measured on the running starter: 100 000 principals' authorized
 * clients are saved in the memory store, then each principal's key is served once, which puts its token in the
 * engine's memory. The heap after a full collection is read before and after each step: the first difference is
 * the authorized client itself (what the near cache also holds per key in fleet mode, where it decodes its own
 * copy from Redis), the second is what the engine adds per key (its key, state, cache entry and the prepared
 * header). Measured for opaque tokens (40 characters) and JWT-sized ones (800), each token different.
 *
 * <p>Usage: {@code KeyMemory [output.json]}
 */
public final class KeyMemory {

	static final int KEYS = 100_000;

	static final int[] TOKEN_LENGTHS = { 40, 800 };

	private KeyMemory() {
	}

	public static void main(String[] args) throws IOException {
		List<Map<String, Object>> figures = new ArrayList<>();
		for (int length : TOKEN_LENGTHS) {
			figures.add(measure(length));
		}
		String json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
			.writeValueAsString(figures);
		System.out.println(json);
		if (args.length > 0) {
			Files.writeString(Path.of(args[0]), json);
		}
	}

	static Map<String, Object> measure(int tokenLength) throws IOException {
		try (StarterEngine engine = StarterEngine.start("token.keys.max-held=" + KEYS)) {
			long empty = usedHeap();
			TokenKey[] keys = PrincipalKeys.save(engine, KEYS, tokenLength);
			long stored = usedHeap();
			PrincipalKeys.serve(engine, keys);
			long held = usedHeap();
			Map<String, Object> figures = new LinkedHashMap<>();
			figures.put("keys", KEYS);
			figures.put("tokenLength", tokenLength);
			figures.put("authorizedClientBytesPerKey", (stored - empty) / KEYS);
			figures.put("engineBytesPerKey", (held - stored) / KEYS);
			figures.put("fleetModeBytesPerKey", (held - empty) / KEYS);
			figures.put("fleetModeMegabytesFor100000Keys", (held - empty) / KEYS * 100_000 / (1024.0 * 1024.0));
			// Keeps the keys reachable until the last reading.
			figures.put("firstKey", keys[0].toString());
			return figures;
		}
	}

	private static long usedHeap() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return memory.getHeapMemoryUsage().getUsed();
	}

}
