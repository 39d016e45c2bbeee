package org.sidechains.bmm.regtest.miner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.base.internal.ByteUtils;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.script.Script;

/**
 * The M9 outputs the miner was paid, with the witness scripts it needs to sweep them. A claim is
 * appended (and forced to disk) before the block that pays it is submitted, so a crash can lose a
 * claim only for a block that never reached the mainchain. The file is append-only JSON lines; a
 * torn last line (a crash mid-write) is cut off when the file is opened.
 */
public final class ClaimStore {
    static final String FILE = "claims.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One output paying this miner. */
    public record Claim(TransactionOutPoint outpoint, Coin value, Script witnessScript, int chain) {
        public Claim {
            Objects.requireNonNull(outpoint, "outpoint");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(witnessScript, "witnessScript");
        }
    }

    private final Path file;
    private final Map<TransactionOutPoint, Claim> claims = new LinkedHashMap<>();

    private ClaimStore(Path file) {
        this.file = file;
    }

    /**
     * Opens (or creates) {@code dir/claims.jsonl}. A torn last line (a write cut short) is cut off
     * the file, so the next claim starts on a line of its own.
     */
    public static ClaimStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        ClaimStore s = new ClaimStore(dir.resolve(FILE));
        if (!Files.exists(s.file)) {
            return s;
        }
        byte[] bytes = Files.readAllBytes(s.file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            try (FileChannel ch = FileChannel.open(s.file, StandardOpenOption.WRITE)) {
                ch.truncate(end);
                ch.force(true);
            }
        }
        String[] lines = new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            try {
                Claim c = parse(JSON.readTree(line));
                s.claims.put(c.outpoint(), c);
            } catch (IOException | RuntimeException e) {
                throw new IOException(s.file + " line " + (i + 1) + " is not a claim (" + e.getMessage()
                        + "): repair or move the file; the claims in it are the miner's unswept bribes", e);
            }
        }
        return s;
    }

    public synchronized List<Claim> all() {
        return List.copyOf(claims.values());
    }

    public synchronized int size() {
        return claims.size();
    }

    /** Appends the claims and forces them to disk before returning. */
    public synchronized void addAll(List<Claim> add) throws IOException {
        if (add.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (Claim c : add) {
            ObjectNode o = JSON.createObjectNode();
            o.put("txid", c.outpoint().hash().toString());
            o.put("vout", c.outpoint().index());
            o.put("value", c.value().value);
            o.put("witnessScript", ByteUtils.formatHex(c.witnessScript().program()));
            o.put("chain", c.chain());
            sb.append(JSON.writeValueAsString(o)).append('\n');
        }
        boolean created = !Files.exists(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        if (created) {
            MinerKey.syncDirectory(file.getParent());
        }
        for (Claim c : add) {
            claims.put(c.outpoint(), c);
        }
    }

    private static Claim parse(JsonNode n) {
        TransactionOutPoint op = new TransactionOutPoint(n.get("vout").asLong(),
                Sha256Hash.wrap(n.get("txid").asText()));
        return new Claim(op, Coin.valueOf(n.get("value").asLong()),
                Script.parse(ByteUtils.parseHex(n.get("witnessScript").asText())), n.get("chain").asInt());
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
