"""Build a small real sentence-transformers model offline: random weights, a WordPiece tokenizer
trained on the given texts. Its vectors mean nothing, but loading and encoding run the same
code path as the real model, so tests (and benchmarks, at full size) exercise it for real."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def build_model(
    folder: Path,
    texts: Iterable[str],
    hidden_size: int = 32,
    layers: int = 1,
    heads: int = 2,
    intermediate_size: int = 64,
    vocab_size: int = 2000,
    max_positions: int = 512,
    seed: int = 0,
) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    torch.manual_seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    raw = folder / "hf"
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.train_from_iterator(
        list(texts), trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special)
    )
    from tokenizers.processors import TemplateProcessing

    tokenizer.post_processor = TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[
            ("[CLS]", tokenizer.token_to_id("[CLS]")),
            ("[SEP]", tokenizer.token_to_id("[SEP]")),
        ],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=max_positions,
    )
    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max_positions,
    )
    BertModel(config).save_pretrained(raw)
    fast.save_pretrained(raw)
    transformer = Transformer(str(raw), max_seq_length=max_positions)
    model = SentenceTransformer(
        modules=[transformer, Pooling(hidden_size, "mean"), Normalize()], device="cpu"
    )
    out = folder / "model"
    model.save(str(out))
    return out
