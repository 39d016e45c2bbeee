package org.sidechains.bmm.bitcoinj.chain;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.store.BlockStoreException;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.m7.CoinbaseM7;
import org.sidechains.bmm.m7.M7;
import org.sidechains.bmm.m7.M7Codec;
import org.sqlite.SQLiteDataSource;

/**
 * The enforcing chain's BMM state on disk (SQLite, WAL), so that the chain survives a restart or a
 * crash without following the chain again from genesis. It holds what D3 is rebuilt from (each
 * connected block's header as bitcoinj stores it, and its M7), the output index with the undo of
 * its last blocks, and the bodies of the blocks within the reorg depth. Each head change is one
 * transaction, written before the block store's head moves. The database is the authority: on
 * opening, the block store's head is set to the database's tip, with any headers it lacks.
 */
final class StateDatabase implements AutoCloseable {
    /** 2: outputs and spent outputs say whether a coinbase made them (for a miner's maturity check). */
    static final int SCHEMA_VERSION = 2;

    /** Finds a block's header as the block store keeps it (with its height and chain work). */
    @FunctionalInterface
    interface Headers {
        StoredBlock get(Sha256Hash hash) throws BlockStoreException;
    }

    /** A change to save with the next head change; made while the chain's journal is open. */
    sealed interface Change {
        record Connected(int height, Block block, Optional<CoinbaseM7> m7, Map<TransactionOutPoint, Prevout> created,
                         List<TransactionOutPoint> spent) implements Change {
        }

        record Disconnected(int height, Sha256Hash hash) implements Change {
        }
    }

    /** A kept body, with the prevouts it was offered with lost (a persisted chain keeps its own index). */
    record StoredBody(int height, Block block, StoredBlock header) {
    }

    private final Path file;
    private final Connection db;
    /** Whether this open made the database (it was new, or empty). */
    private boolean created;
    /** The height of the saved tip as of the last commit; -1 until read. */
    private int savedTip = -1;
    /** Undo data below this height is gone (the last save's keepFrom; unknown before the first one). */
    private int prunedBelow = Integer.MIN_VALUE;
    /** The write statements, prepared once: a head change runs a handful of them. */
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    private StateDatabase(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /**
     * Opens (or creates) the database and checks that it was written for the same network and
     * settings: D3's window and the index scope decide what the stored state means, the activation
     * height and OP_CBV depth which rules its blocks passed.
     */
    static StateDatabase open(Path file, Sha256Hash genesis, BmmChainConfig config) throws BlockStoreException {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
                // SQLite's own error for these is "I/O error in the advisory file locking logic"
                if (!Files.isWritable(parent)) {
                    throw new BlockStoreException("cannot open the BMM state database " + file + ": its directory "
                            + parent + " is read-only (SQLite keeps its -wal and -shm files beside the database)");
                }
            }
            if (Files.exists(file) && !Files.isWritable(file)) {
                throw new BlockStoreException("cannot open the BMM state database " + file
                        + ": the file is read-only (the chain saves every head change to it)");
            }
            SQLiteDataSource source = new SQLiteDataSource();
            source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
            Connection c = source.getConnection();
            StateDatabase s = new StateDatabase(file, c);
            try {
                s.init(genesis, config);
            } catch (BlockStoreException | SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            return s;
        } catch (SQLException | java.io.IOException e) {
            String busy = e.getMessage() != null && (e.getMessage().contains("SQLITE_BUSY") || e.getMessage().contains("locked"))
                    ? " (another chain, in this process or another, has it open: one chain per database)" : "";
            throw new BlockStoreException("cannot open the BMM state database " + file + busy + ": " + e.getMessage(), e);
        }
    }

    private void init(Sha256Hash genesis, BmmChainConfig config) throws SQLException, BlockStoreException {
        try (Statement s = db.createStatement()) {
            // one writer: a second chain on the same file is refused (as SPVBlockStore locks its file)
            s.execute("PRAGMA locking_mode=EXCLUSIVE");
            s.execute("PRAGMA busy_timeout=200"); // the lock is held for the chain's life: waiting longer is pointless
        }
        // read before writing anything: a file that is not ours, or ours but refused, is left as it was
        List<String> tables = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'"
                     + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) { // not SQLite's own
            while (r.next()) {
                tables.add(r.getString(1));
            }
        }
        Map<String, String> have = new HashMap<>();
        if (tables.contains("meta")) {
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT key, value FROM meta")) {
                while (r.next()) {
                    have.put(r.getString(1), r.getString(2));
                }
            } catch (SQLException e) {
                have.put("", ""); // a meta table of another shape: not ours
            }
        }
        // ours: no tables yet, only our tables and no meta rows (a creation cut short by an older version),
        // or meta rows that name a schema and a network
        boolean ours = have.isEmpty() ? TABLES.containsAll(tables) : have.containsKey("schema") && have.containsKey("genesis");
        if (!ours) {
            throw new BlockStoreException("the file " + file + " is a SQLite database, but not a BMM state database"
                    + " (its tables: " + String.join(", ", tables) + "): give the chain a file of its own");
        }
        Map<String, String> want = new LinkedHashMap<>();
        want.put("schema", Integer.toString(SCHEMA_VERSION));
        want.put("genesis", genesis.toString());
        want.put("window", Integer.toString(config.params().window()));
        want.put("outputIndex", config.outputIndex().name());
        want.put("keepRule", Integer.toString(OutputIndex.KEEP_RULE));
        // blocks saved were checked under these: other values would take them unchecked
        want.put("activationHeight", Long.toString(config.params().activationHeight()));
        want.put("minBlocksAtop", Integer.toString(config.params().minBlocksAtop()));
        if (have.isEmpty()) {
            create(genesis, want); // a new file (or one whose creation was cut short: it rolled back)
            return;
        }
        db.setAutoCommit(false);
        if (!want.get("schema").equals(have.get("schema"))) {
            throw new BlockStoreException("the BMM state database " + file + " was written by another version of"
                    + " bmm-bitcoinj (schema " + have.get("schema") + ", this one reads " + SCHEMA_VERSION
                    + "): delete it and the block store, and the chain follows the mainchain again from genesis");
        }
        for (Map.Entry<String, String> e : want.entrySet()) {
            if (!e.getValue().equals(have.get(e.getKey()))) {
                throw new BlockStoreException("the BMM state database " + file + " was written with " + e.getKey() + " "
                        + have.get(e.getKey()) + ", but this chain has " + e.getValue()
                        + ": open it with the settings it was written with, or delete it and the block store to follow the chain again");
            }
        }
        setDurability();
    }

    /** WAL with NORMAL sync: a commit survives the process being killed; a power loss may take the last commits, never consistency. */
    private void setDurability() throws SQLException {
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(true); // the journal mode cannot change inside a transaction
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
        }
        db.setAutoCommit(auto);
    }

    /** Makes the tables and the meta rows in one transaction, so a crash leaves either nothing or all of it. */
    private void create(Sha256Hash genesis, Map<String, String> meta) throws SQLException {
        setDurability();
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS blocks(height INTEGER PRIMARY KEY, hash BLOB NOT NULL,"
                    + " header BLOB, cb_index INTEGER, m7 BLOB)");
            s.execute("CREATE TABLE IF NOT EXISTS outputs(txid BLOB NOT NULL, vout INTEGER NOT NULL,"
                    + " value INTEGER NOT NULL, script BLOB NOT NULL, height INTEGER NOT NULL, coinbase INTEGER NOT NULL,"
                    + " PRIMARY KEY(txid, vout)) WITHOUT ROWID");
            s.execute("CREATE INDEX IF NOT EXISTS outputs_height ON outputs(height)");
            s.execute("CREATE TABLE IF NOT EXISTS spent(height INTEGER NOT NULL, txid BLOB NOT NULL,"
                    + " vout INTEGER NOT NULL, value INTEGER NOT NULL, script BLOB NOT NULL, created INTEGER NOT NULL,"
                    + " coinbase INTEGER NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS spent_height ON spent(height)");
            s.execute("CREATE INDEX IF NOT EXISTS spent_created ON spent(created)");
            s.execute("CREATE TABLE IF NOT EXISTS bodies(hash BLOB PRIMARY KEY, height INTEGER NOT NULL,"
                    + " header BLOB NOT NULL, raw BLOB NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS bodies_height ON bodies(height)");
        }
        try (PreparedStatement p = db.prepareStatement("INSERT INTO meta(key, value) VALUES (?, ?)")) {
            for (Map.Entry<String, String> e : meta.entrySet()) {
                p.setString(1, e.getKey());
                p.setString(2, e.getValue());
                p.executeUpdate();
            }
        }
        try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO blocks(height, hash) VALUES (0, ?)")) {
            p.setBytes(1, genesis.getBytes());
            p.executeUpdate();
        }
        db.commit();
        created = true;
    }

    /** The tables this version makes; a file with any other is not a BMM state database. */
    private static final java.util.Set<String> TABLES = java.util.Set.of("meta", "blocks", "outputs", "spent", "bodies");

    /** Whether opening it made it: a new file (or an empty one), as opposed to one restored from. */
    boolean created() {
        return created;
    }

    /** The height of the highest connected block. */
    int tipHeight() throws BlockStoreException {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT MAX(height) FROM blocks")) {
            return r.next() ? r.getInt(1) : 0;
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    /**
     * The lowest height with a kept body: every save drops bodies and undo data below the same
     * height, so nothing below it can be taken off (no body at all: nothing was dropped yet).
     */
    private int lowestBody() throws SQLException {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT MIN(height) FROM bodies")) {
            int h = r.next() ? r.getInt(1) : 0;
            return r.wasNull() ? Integer.MIN_VALUE : h;
        }
    }

    /** The hash of the connected block at {@code height}. */
    Sha256Hash hashAt(int height) throws BlockStoreException {
        return Sha256Hash.wrap(columnAt("hash", height));
    }

    /** The header of the connected block at {@code height} (not genesis), as bitcoinj stores it. */
    StoredBlock storedAt(int height) throws BlockStoreException {
        return StoredBlock.deserializeCompactV2(ByteBuffer.wrap(columnAt("header", height)));
    }

    /** One column of the saved row at {@code height}; a missing row or value means the file is damaged. */
    private byte[] columnAt(String column, int height) throws BlockStoreException {
        try {
            PreparedStatement p = sql("SELECT " + column + " FROM blocks WHERE height = ?");
            p.setInt(1, height);
            try (ResultSet r = p.executeQuery()) {
                byte[] value = r.next() ? r.getBytes(1) : null;
                if (value == null) {
                    throw damaged("no " + column + " at height " + height);
                }
                return value;
            }
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    /** What D3 is rebuilt from. */
    @FunctionalInterface
    interface RowConsumer {
        void accept(int height, Optional<CoinbaseM7> m7);
    }

    /** Streams the connected blocks' M7s from height 1 up, in height order (D3 replays them). */
    void replay(RowConsumer to) throws BlockStoreException {
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT height, cb_index, m7 FROM blocks WHERE height > 0 ORDER BY height")) {
            int expected = 1;
            while (r.next()) {
                int h = r.getInt(1);
                if (h != expected++) {
                    throw damaged("no block at height " + (expected - 1));
                }
                byte[] script = r.getBytes(3);
                Optional<CoinbaseM7> m7 = Optional.empty();
                if (script != null) {
                    Optional<M7> parsed = M7Codec.parse(script);
                    if (parsed.isEmpty()) {
                        throw damaged("the M7 kept for height " + h + " does not parse");
                    }
                    m7 = Optional.of(new CoinbaseM7(r.getInt(2), parsed.get()));
                }
                to.accept(h, m7);
            }
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    private BlockStoreException damaged(String what) {
        return new BlockStoreException("the BMM state database " + file + " is damaged (" + what
                + "): delete it and the block store to follow the chain again");
    }

    /** An output from columns 3.. of {@code r}: value, script, the height it was made at, coinbase. */
    private static Prevout prevout(ResultSet r) throws SQLException {
        return Prevout.madeAt(Coin.valueOf(r.getLong(3)), r.getBytes(4), r.getInt(5), r.getInt(6) != 0);
    }

    /** Every indexed output. */
    Map<TransactionOutPoint, Prevout> outputs() throws BlockStoreException {
        Map<TransactionOutPoint, Prevout> out = new HashMap<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT txid, vout, value, script, height, coinbase FROM outputs")) {
            while (r.next()) {
                out.put(outpoint(r.getBytes(1), r.getLong(2)), prevout(r));
            }
        } catch (SQLException e) {
            throw failure("read", e);
        }
        return out;
    }

    /** The output index's undo of the block at {@code height}, as far as it is still kept. */
    OutputIndex.Undo undoAt(int height) throws BlockStoreException {
        List<TransactionOutPoint> created = new ArrayList<>();
        Map<TransactionOutPoint, Prevout> spent = new HashMap<>();
        try (PreparedStatement p = db.prepareStatement("SELECT txid, vout FROM outputs WHERE height = ?"
                + " UNION ALL SELECT txid, vout FROM spent WHERE created = ?")) {
            p.setInt(1, height);
            p.setInt(2, height);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    created.add(outpoint(r.getBytes(1), r.getLong(2)));
                }
            }
        } catch (SQLException e) {
            throw failure("read", e);
        }
        try (PreparedStatement p = db.prepareStatement("SELECT txid, vout, value, script, created, coinbase FROM spent"
                + " WHERE height = ?")) {
            p.setInt(1, height);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    spent.put(outpoint(r.getBytes(1), r.getLong(2)), prevout(r));
                }
            }
        } catch (SQLException e) {
            throw failure("read", e);
        }
        return new OutputIndex.Undo(created, spent);
    }

    /** The kept bodies from {@code fromHeight} up, in height order. */
    List<StoredBody> bodies(int fromHeight) throws BlockStoreException {
        List<StoredBody> out = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement("SELECT height, raw, header FROM bodies WHERE height >= ? ORDER BY height")) {
            p.setInt(1, fromHeight);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new StoredBody(r.getInt(1), Block.read(ByteBuffer.wrap(r.getBytes(2))),
                            StoredBlock.deserializeCompactV2(ByteBuffer.wrap(r.getBytes(3)))));
                }
            }
        } catch (SQLException e) {
            throw failure("read", e);
        }
        return out;
    }

    /** Saves the changes of one head change, and drops what lies deeper than {@code keepFrom}. One transaction. */
    void save(List<Change> changes, int keepFrom, Headers headers) throws BlockStoreException {
        try {
            // the rows stay one chain from genesis: a block connects on the tip, only the tip disconnects;
            // anything else is a bug upstream, refused here before it can leave a gap
            if (savedTip < 0) {
                savedTip = tipHeight();
                prunedBelow = lowestBody();
            }
            int tip = savedTip;
            for (Change c : changes) {
                if (c instanceof Change.Connected k) {
                    if (k.height() != tip + 1) {
                        throw new BlockStoreException("cannot save block " + k.block().getHash() + " at height "
                                + k.height() + " on the saved tip at height " + tip);
                    }
                    connect(k, headers.get(k.block().getHash()));
                    tip++;
                } else {
                    Change.Disconnected d = (Change.Disconnected) c;
                    if (d.height() != tip || !d.hash().equals(hashAt(tip))) {
                        throw new BlockStoreException("cannot take block " + d.hash() + " at height " + d.height()
                                + " off the saved tip at height " + tip);
                    }
                    if (d.height() < prunedBelow) {
                        // the outputs it spent were pruned with the last save: taking it off would lose them
                        throw new BlockStoreException("cannot take block " + d.hash() + " at height " + d.height()
                                + " off: its undo data was dropped (kept down to height " + prunedBelow + ")");
                    }
                    disconnect(d.height());
                    tip--;
                }
            }
            for (String prune : List.of("DELETE FROM bodies WHERE height < ?", "DELETE FROM spent WHERE height < ?")) {
                PreparedStatement p = sql(prune);
                p.setInt(1, keepFrom);
                p.executeUpdate();
            }
            db.commit();
            savedTip = tip;
            prunedBelow = Math.max(prunedBelow, keepFrom);
        } catch (SQLException e) {
            rollbackQuietly();
            throw failure("write", e);
        } catch (BlockStoreException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /** Keeps a side block's body, so that its branch can still win after a restart. */
    void saveBody(StoredBlock header, Block block) throws BlockStoreException {
        try {
            putBody(header, block);
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw failure("write", e);
        }
    }

    private void connect(Change.Connected k, StoredBlock stored) throws SQLException, BlockStoreException {
        if (stored == null || stored.getHeight() != k.height()) {
            throw new BlockStoreException("the block store has no header for block " + k.block().getHash()
                    + " at height " + k.height());
        }
        PreparedStatement row = sql("INSERT INTO blocks(height, hash, header, cb_index, m7) VALUES (?, ?, ?, ?, ?)");
        row.setInt(1, k.height());
        row.setBytes(2, k.block().getHash().getBytes());
        row.setBytes(3, compact(stored));
        if (k.m7().isPresent()) {
            int cb = k.m7().get().cbIndex();
            row.setInt(4, cb);
            row.setBytes(5, k.block().getTransactions().get(0).getOutput(cb).getScriptBytes());
        } else {
            row.setNull(4, java.sql.Types.INTEGER);
            row.setNull(5, java.sql.Types.BLOB);
        }
        row.executeUpdate();
        for (TransactionOutPoint op : k.spent()) {
            // kept with the height it was made at, so that a disconnect can put it back
            PreparedStatement keep = sql("INSERT INTO spent(height, txid, vout, value, script, created, coinbase)"
                    + " SELECT ?, txid, vout, value, script, height, coinbase FROM outputs WHERE txid = ? AND vout = ?");
            keep.setInt(1, k.height());
            keep.setBytes(2, op.hash().getBytes());
            keep.setLong(3, op.index());
            keep.executeUpdate();
            PreparedStatement del = sql("DELETE FROM outputs WHERE txid = ? AND vout = ?");
            del.setBytes(1, op.hash().getBytes());
            del.setLong(2, op.index());
            del.executeUpdate();
        }
        for (Map.Entry<TransactionOutPoint, Prevout> e : k.created().entrySet()) {
            PreparedStatement add = sql("INSERT OR REPLACE INTO outputs(txid, vout, value, script, height, coinbase)"
                    + " VALUES (?, ?, ?, ?, ?, ?)");
            add.setBytes(1, e.getKey().hash().getBytes());
            add.setLong(2, e.getKey().index());
            add.setLong(3, e.getValue().value().value);
            add.setBytes(4, e.getValue().scriptPubKey());
            add.setInt(5, k.height());
            add.setInt(6, e.getValue().coinbase() ? 1 : 0);
            add.executeUpdate();
        }
        putBody(stored, k.block());
    }

    /** With its header: a side block's is in no block store after a restart over a new one. */
    private void putBody(StoredBlock header, Block block) throws SQLException {
        // the latest offer of a block not connected replaces its body, as in memory
        PreparedStatement p = sql("INSERT OR REPLACE INTO bodies(hash, height, header, raw) VALUES (?, ?, ?, ?)");
        p.setBytes(1, block.getHash().getBytes());
        p.setInt(2, header.getHeight());
        p.setBytes(3, compact(header));
        p.setBytes(4, block.serialize());
        p.executeUpdate();
    }

    private static byte[] compact(StoredBlock header) {
        ByteBuffer b = ByteBuffer.allocate(StoredBlock.COMPACT_SERIALIZED_SIZE_V2);
        header.serializeCompactV2(b);
        return b.array();
    }

    /** The block at {@code height} leaves: its outputs go, the outputs it spent come back. */
    private void disconnect(int height) throws SQLException {
        for (String step : List.of("DELETE FROM outputs WHERE height = ?",
                "INSERT OR REPLACE INTO outputs(txid, vout, value, script, height, coinbase)"
                        + " SELECT txid, vout, value, script, created, coinbase FROM spent WHERE height = ?",
                "DELETE FROM spent WHERE height = ?",
                "DELETE FROM blocks WHERE height = ?")) {
            PreparedStatement p = sql(step);
            p.setInt(1, height);
            p.executeUpdate();
        }
    }

    private PreparedStatement sql(String statement) throws SQLException {
        PreparedStatement p = statements.get(statement);
        if (p == null) {
            p = db.prepareStatement(statement);
            statements.put(statement, p);
        }
        return p;
    }

    private static TransactionOutPoint outpoint(byte[] txid, long vout) {
        return new TransactionOutPoint(vout, Sha256Hash.wrap(txid));
    }

    private void rollbackQuietly() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; nothing was committed
        }
    }

    private BlockStoreException failure(String what, SQLException e) {
        return new BlockStoreException("cannot " + what + " the BMM state database " + file + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        SQLException first = null;
        for (PreparedStatement p : statements.values()) {
            try {
                p.close();
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        statements.clear();
        try {
            db.close();
        } catch (SQLException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw new IllegalStateException("cannot close the BMM state database " + file + ": " + first.getMessage(), first);
        }
    }
}
