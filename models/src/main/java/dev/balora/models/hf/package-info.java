/**
 * balora's outputs as Hugging Face folders that load with the standard one-liners of transformers, PEFT and
 * sentence-transformers, and give balora's numbers:
 * <ul>
 *   <li>{@link dev.balora.models.hf.AdapterFolder}: a fine-tuned classifier as a PEFT LoRA adapter on the encoder
 *       ({@code task_type FEATURE_EXTRACTION}) inside a sentence-transformers folder whose {@code 2_Dense} module is
 *       the classification head;</li>
 *   <li>{@link dev.balora.models.hf.MergedFolder}: the same classifier with the adapter folded into the weights;</li>
 *   <li>{@link dev.balora.models.hf.BaseFolder}: a pre-trained base encoder as the sentence-transformers model it is
 *       on the Hub.</li>
 * </ul>
 * Why a sentence-transformers folder: balora's classifier is {@code linear(mean-pool(bert(x)))}; transformers'
 * {@code BertForSequenceClassification} is {@code linear(tanh(dense(bert(x)[CLS])))} and no transformers class
 * holds BERT weights under a masked-mean head, while sentence-transformers' Transformer → Pooling (mean) → Dense
 * (identity activation) is exactly balora's forward pass. Every file is written atomically.
 */
package dev.balora.models.hf;
