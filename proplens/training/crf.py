"""A linear-chain CRF over the BIO tags (torch): the training loss of `proplens train --crf`."""

from __future__ import annotations

import torch
from torch import nn


class CRF(nn.Module):
    """Transition scores between tags; the encoder's tag logits are the emission scores.

    Args:
        n_tags: Number of tags (3: O, B, I).
    """

    def __init__(self, n_tags: int = 3):
        super().__init__()
        self.transitions = nn.Parameter(torch.zeros(n_tags, n_tags))
        self.start = nn.Parameter(torch.zeros(n_tags))
        self.end = nn.Parameter(torch.zeros(n_tags))

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood of the gold tag sequences, per scored token.

        Args:
            emissions: `(batch, length, n_tags)` tag logits.
            tags: `(batch, length)` gold tags; -100 marks tokens outside the sequence
                (special tokens, padding), which are skipped.
        """
        emissions = emissions.float()
        mask = tags != -100
        gold = tags.clamp(min=0)
        batch, length, _ = emissions.shape
        alpha = emissions.new_zeros(batch, emissions.shape[-1])
        score = emissions.new_zeros(batch)
        prev = torch.zeros_like(gold[:, 0])
        started = torch.zeros_like(mask[:, 0])
        rows = torch.arange(batch)
        for t in range(length):
            m, e, g = mask[:, t], emissions[:, t], gold[:, t]
            step = torch.logsumexp(alpha.unsqueeze(2) + self.transitions, dim=1) + e
            new = torch.where(started.unsqueeze(1), step, self.start + e)
            alpha = torch.where(m.unsqueeze(1), new, alpha)
            link = torch.where(started, self.transitions[prev, g], self.start[g])
            score = score + torch.where(m, e[rows, g] + link, torch.zeros_like(score))
            prev = torch.where(m, g, prev)
            started = started | m
        log_z = torch.logsumexp(alpha + self.end, dim=1)
        per_row = (log_z - score - self.end[prev])[started]
        return per_row.sum() / mask.sum().clamp(min=1)

    def to_config(self) -> dict:
        """The scores as JSON lists, read back by `proplens.stages.span_detector`."""
        return {
            "transitions": self.transitions.detach().tolist(),
            "start": self.start.detach().tolist(),
            "end": self.end.detach().tolist(),
        }
