package dev.balora.kernels.cuda;

/**
 * Every own kernel: the {@code .cu} source (hence the PTX resource) it lives in and its {@code extern "C"} entry
 * name. The PTX resource test checks each entry exists for every architecture in {@link PtxResources#ARCHS}.
 */
enum Kernel {
    UNARY_FWD("elementwise", "unary_fwd_f32"),
    UNARY_BWD("elementwise", "unary_bwd_f32"),
    BINARY_BCAST("elementwise", "binary_bcast_f32"),
    AXPBY("elementwise", "axpby_f32"),
    ADAMW_MULTI("adamw", "adamw_multi_f32"),
    SUM_OF_SQUARES_MULTI("reduce", "sum_of_squares_multi_f32"),
    SUM_DOUBLES("reduce", "sum_doubles_f64"),
    SUM_INTO_DET("reduce", "sum_into_det_f32"),
    SUM_INTO_DET_THREAD("reduce", "sum_into_det_thread_f32"),
    DROPOUT("elementwise", "dropout_f32"),
    FILL_F32("elementwise", "fill_f32"),
    FILL_F64("elementwise", "fill_f64"),
    SUM_OF_SQUARES("reduce", "sum_of_squares_f32"),
    COPY_STRIDED_F32("copy", "copy_strided_f32"),
    COPY_STRIDED_F64("copy", "copy_strided_f64"),
    SOFTMAX_FWD("rowwise", "softmax_fwd_f32"),
    SOFTMAX_BWD("rowwise", "softmax_bwd_f32"),
    LAYERNORM_FWD("rowwise", "layernorm_fwd_f32"),
    LAYERNORM_BWD("rowwise", "layernorm_bwd_f32"),
    LAYERNORM_BWD_PARAMS("rowwise", "layernorm_bwd_params_f32"),
    RMSNORM_FWD("rowwise", "rmsnorm_fwd_f32"),
    RMSNORM_BWD("rowwise", "rmsnorm_bwd_f32"),
    RMSNORM_BWD_GAMMA("rowwise", "rmsnorm_bwd_gamma_f32"),
    CROSS_ENTROPY_FWD("rowwise", "cross_entropy_fwd_f32"),
    CROSS_ENTROPY_BWD("rowwise", "cross_entropy_bwd_f32"),
    GATHER_ROWS("gather", "gather_rows_f32"),
    SCATTER_ADD_ROWS("gather", "scatter_add_rows_f32"),
    ADAMW("adamw", "adamw_f32"),
    ROW_TOPK_MASK("select", "row_topk_mask_f32");

    /** Threads per block of the row-wise kernels; must equal BALORA_ROW_BLOCK in common.cuh. */
    static final int ROW_BLOCK = 256;

    private final String file;
    private final String entry;

    Kernel(String file, String entry) {
        this.file = file;
        this.entry = entry;
    }

    /** @return the source/PTX file name without extension, e.g. {@code rowwise}. */
    String file() {
        return file;
    }

    /** @return the PTX {@code .entry} name. */
    String entry() {
        return entry;
    }
}
