package org.sidechains.bmm.bitcoinj.rpc;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one mapper (thread-safe once built). */
final class Json {
    /** Amounts arrive as BTC decimals ("50.00000000"): BigDecimal keeps them exact, a double would not. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private Json() {
    }
}
