"""The multi-task network: one encoder pass, BIO tagger, token techniques, span classifier."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from proplens.encoders import EncoderChoice
from proplens.stages.features import N_FEATURES
from proplens.techniques import LABELS
from proplens.token_features import N_IDS
from proplens.training.crf import CRF


def tiny_bert_config():
    """A tiny random BERT with the MiniLM vocabulary, for tests and CI."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )


def attention_kwargs(choice: EncoderChoice) -> dict[str, Any]:
    """The from_pretrained keywords that pick the encoder's attention implementation, if any."""
    return {"attn_implementation": choice.attention} if choice.attention else {}


def load_encoder(choice: EncoderChoice | None, tiny: bool = False, seed: int = 0):
    """The transformer body: pretrained from the chosen encoder's folder, or a tiny random BERT.

    A folder whose config.json has no weights file next to it (a test's tiny configuration)
    gives a randomly initialised model of that configuration.
    """
    from transformers import AutoConfig, AutoModel, BertModel

    if tiny or choice is None:
        torch.manual_seed(seed)
        return BertModel(tiny_bert_config(), add_pooling_layer=False)
    kwargs = attention_kwargs(choice)
    weights = [p for p in choice.path.glob("*") if p.suffix in (".safetensors", ".bin")]
    if not weights:
        torch.manual_seed(seed)
        config = AutoConfig.from_pretrained(choice.path, **kwargs)
        return AutoModel.from_config(config, add_pooling_layer=False, **kwargs)
    return AutoModel.from_pretrained(choice.path, add_pooling_layer=False, **kwargs)


class SpanHead(nn.Module):
    """[start hidden, end hidden, mean hidden, hand features] -> MLP -> technique logits."""

    def __init__(
        self,
        hidden: int,
        n_feats: int = N_FEATURES,
        width: int = 256,
        n_labels: int = 14,
        dropout: float = 0.1,
    ):
        super().__init__()
        self.fc1 = nn.Linear(3 * hidden + n_feats, width)
        self.act = nn.GELU(approximate="tanh")
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(width, n_labels)

    def forward(self, h, row, start, end, feats):
        csum = torch.cumsum(h, dim=1)
        total = csum[row, end] - csum[row, start - 1]
        mean = total / (end - start + 1).unsqueeze(-1).to(h.dtype)
        x = torch.cat([h[row, start], h[row, end], mean, feats.to(h.dtype)], dim=-1)
        return self.fc2(self.drop(self.act(self.fc1(x))))


class MultiTask(nn.Module):
    """Encoder + heads. `forward` gives what ONNX exports: hidden states, BIO logits.

    Args:
        encoder: The transformer body.
        span_width: Hidden width of the span head.
        token_features: Add a learned embedding of `proplens.token_features` ids (casing,
            recurrence in the article) to the word embeddings; it starts at zero, so training
            begins from the pretrained model's behaviour.
        sentence_head: Add a training-only head that predicts, from the mean of a sentence's
            hidden states, whether the sentence holds a gold span (an auxiliary task; it is
            not exported).
        crf: Score the BIO tags with a linear-chain CRF (transition scores, exported into the
            span detector's config) instead of token-wise cross-entropy.
        span_dropout: Dropout on the span head's hidden layer (training only).
        n_labels: Number of techniques in the taxonomy.
    """

    def __init__(
        self,
        encoder,
        span_width: int = 256,
        token_features: bool = False,
        sentence_head: bool = False,
        crf: bool = False,
        span_dropout: float = 0.1,
        n_labels: int = len(LABELS),
    ):
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.tag = nn.Linear(hidden, 3)
        self.tech = nn.Linear(hidden, n_labels)
        self.span = SpanHead(hidden, width=span_width, n_labels=n_labels, dropout=span_dropout)
        self.token_emb = None
        if token_features:
            self.token_emb = nn.Embedding(N_IDS, hidden)
            nn.init.zeros_(self.token_emb.weight)
        self.sent = nn.Linear(hidden, 1) if sentence_head else None
        self.crf = CRF(3) if crf else None

    def forward(self, input_ids, attention_mask, token_features=None):
        if self.token_emb is None:
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        else:
            words = self.encoder.get_input_embeddings()(input_ids)
            embeds = words + self.token_emb(token_features)
            out = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask)
        h = out.last_hidden_state
        return h, self.tag(h)


def sentence_loss(model: MultiTask, h, sent, label):
    """BCE of the sentence head on the mean hidden state of each sentence in the batch."""
    keep = sent >= 0
    idx = sent[keep]
    pooled = torch.zeros(len(label), h.shape[-1], dtype=torch.float32)
    pooled = pooled.index_add(0, idx, h[keep].float())
    count = torch.bincount(idx, minlength=len(label)).clamp(min=1).unsqueeze(-1)
    assert model.sent is not None  # `losses` calls this only when the model has a sentence head
    logits = model.sent(pooled / count).squeeze(-1)
    return nn.functional.binary_cross_entropy_with_logits(logits, label)


def losses(
    model: MultiTask,
    batch: dict,
    class_weight=None,
    tech_weight: float = 0.5,
    sentence_weight: float = 0.0,
    focal: float = 0.0,
    pseudo_weight: float = 1.0,
) -> dict:
    """The training losses on one collated batch of tensors (BIO, token technique, span and,
    with a sentence head and a positive `sentence_weight`, sentence).

    `focal` > 0 makes the span (technique) loss a focal loss: each target technique's term is
    scaled by (1 - p)^focal, so spans the head already gets right weigh less than hard ones.

    Windows of pseudo-labelled articles (`soft_mask`) add `soft_tag`: the cross-entropy of the
    tagger against the teacher's P(O, B, I), times `pseudo_weight` (their span rows carry their
    own weights).
    """
    h, tag_logits = model(batch["ids"], batch["mask"], batch.get("token_features"))
    out = {}
    if (batch["tags"] != -100).any():
        if model.crf is not None:
            out["tag"] = model.crf.nll(tag_logits, batch["tags"])
        else:
            out["tag"] = nn.functional.cross_entropy(
                tag_logits.float().reshape(-1, 3), batch["tags"].reshape(-1), ignore_index=-100
            )
    sm = batch.get("soft_mask")
    if sm is not None and sm.sum() > 0:
        soft_ce = -(batch["soft"] * torch.log_softmax(tag_logits.float(), -1)).sum(-1)
        out["soft_tag"] = pseudo_weight * (soft_ce * sm).sum() / sm.sum()
    tm = batch["tech_mask"]
    if tm.sum() > 0:
        tl = nn.functional.binary_cross_entropy_with_logits(
            model.tech(h).float(), batch["tech"], reduction="none"
        ).mean(-1)
        out["tech"] = tech_weight * (tl * tm).sum() / tm.sum()
    if len(batch["row"]):
        logits = model.span(h, batch["row"], batch["start"], batch["end"], batch["feats"]).float()
        target = batch["target"] / batch["target"].sum(-1, keepdim=True)
        logp = torch.log_softmax(logits, -1)
        per = -(target * logp)
        if focal > 0:
            per = per * (1 - logp.exp()).pow(focal)
        if class_weight is not None:
            per = per * class_weight
        per = per.sum(-1) * batch["weight"]
        out["span"] = per.sum() / batch["weight"].sum()
    if model.sent is not None and sentence_weight > 0 and len(batch.get("sent_label", ())):
        out["sent"] = sentence_weight * sentence_loss(model, h, batch["sent"], batch["sent_label"])
    return out
