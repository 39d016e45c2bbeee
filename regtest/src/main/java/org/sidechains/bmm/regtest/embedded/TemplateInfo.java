package org.sidechains.bmm.regtest.embedded;

import java.util.List;
import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;

/**
 * A block template from the mempool with everything {@code getblocktemplate} reports.
 *
 * @param template                 what the miner builds from (0-based depends)
 * @param sigOpCosts               per template transaction
 * @param weights                  per template transaction
 * @param coinbaseValue            subsidy + the template's fees
 * @param minTime                  the tip's median time past + 1
 * @param witnessCommitmentScript  the commitment output for the template's transactions
 * @param longPollId               tip hash and a counter of mempool changes
 */
public record TemplateInfo(BlockTemplate template, List<Integer> sigOpCosts, List<Integer> weights, Coin coinbaseValue,
                           long minTime, byte[] witnessCommitmentScript, String longPollId) {
    public TemplateInfo {
        Objects.requireNonNull(template, "template");
        sigOpCosts = List.copyOf(sigOpCosts);
        weights = List.copyOf(weights);
        Objects.requireNonNull(coinbaseValue, "coinbaseValue");
        witnessCommitmentScript = witnessCommitmentScript.clone();
        Objects.requireNonNull(longPollId, "longPollId");
    }

    @Override
    public byte[] witnessCommitmentScript() {
        return witnessCommitmentScript.clone();
    }
}
