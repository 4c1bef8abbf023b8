package dev.balora.models.finetune;

/**
 * What the NLU regularizers see (SPEC §2): the pooled sentence representation [N, d] (default: on class logits with
 * D ≤ 3 the SVD term is constant and the covariance has ≤ 3 off-diagonal entries), or the class logits [N, D] as the
 * paper literally says.
 */
public enum RegularizationTarget { POOLED, LOGITS }
