"""Write a trained `MultiTask` as an inference folder: ONNX encoder (int8 + fp32), numpy heads."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import torch

from proplens.encoder import FEATURES_INPUT
from proplens.training.model import MultiTask

HEADS_FILE = "heads.safetensors"


def export_onnx(model: MultiTask, path: Path, opset: int = 17) -> Path:
    """Export the encoder + BIO head with dynamic batch and sequence axes.

    A model with token features gets a third input, `token_features` (see `proplens.encoder`).
    Attention is exported in transformers' "eager" form, the same arithmetic as the "sdpa" form
    used in training: onnxruntime runs the eager graph markedly faster on CPU, in fp32 and int8
    (docs/model.md, "Speed").
    """
    model.eval()
    # transformers releases without `set_attn_implementation` export what they train with.
    switch = getattr(model.encoder, "set_attn_implementation", None)
    if switch is None:
        return _export(model, path, opset)
    attn = model.encoder.config._attn_implementation
    switch("eager")
    try:
        return _export(model, path, opset)
    finally:
        switch(attn)


def _export(model: MultiTask, path: Path, opset: int) -> Path:
    ids = torch.randint(1000, 2000, (2, 16), dtype=torch.long)
    mask = torch.ones_like(ids)
    args: tuple[torch.Tensor, ...] = (ids, mask)
    names = ["input_ids", "attention_mask"]
    if model.token_emb is not None:
        args, names = (*args, torch.ones_like(ids)), [*names, FEATURES_INPUT]
    axes = {name: {0: "batch", 1: "seq"} for name in [*names, "hidden", "tag_logits"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            model,
            args,
            str(path),
            input_names=names,
            output_names=["hidden", "tag_logits"],
            dynamic_axes=axes,
            opset_version=opset,
            dynamo=False,
        )
    return path


def quantize(src: Path, dst: Path, weight_only: tuple[str, ...] = ()) -> Path:
    """Per-channel dynamic int8 quantisation of the weights (onnxruntime).

    MatMul nodes whose name holds one of `weight_only` (attention's activation products
    excluded) are quantised weight-only instead: 8-bit symmetric blocks of 128 weights, the
    product computed with the activations quantised per block (`MatMulNBits`, accuracy level 4),
    which keeps the outlier channels per-tensor int8 would flatten.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(src)) if weight_only else None  # read only when something is chosen
    chosen = [
        n.name
        for n in (model.graph.node if model is not None else [])
        if n.op_type == "MatMul"
        and any(w in n.name for w in weight_only)
        and "attention" not in n.name
    ]
    if chosen:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

        nbits = MatMulNBitsQuantizer(
            model,
            bits=8,
            block_size=128,
            is_symmetric=True,
            accuracy_level=4,
            nodes_to_include=chosen,
        )
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.WARNING)  # the quantiser logs every node it leaves alone at INFO
        try:
            nbits.process()
        finally:
            root.setLevel(level)
        src = dst.with_name(dst.name + ".weight-only.onnx")
        onnx.save_model(nbits.model.model, str(src))
    try:
        quantize_dynamic(
            str(src),
            str(dst),
            per_channel=True,
            weight_type=QuantType.QInt8,
            nodes_to_exclude=chosen,
        )
    finally:
        if chosen:
            src.unlink(missing_ok=True)
    return dst


MAX_FILE_BYTES = 90 * 1024 * 1024


def split_weights(path: Path, max_bytes: int = MAX_FILE_BYTES) -> list[Path]:
    """Move the weights of an ONNX file larger than `max_bytes` into ONNX external-data files
    `model.onnx.data0`, `.data1`, … of at most `max_bytes` each (git hosts refuse files over
    100 MB; onnxruntime reads the parts next to the graph by itself).

    Returns:
        The files written besides `path` (empty when it was small enough).
    """
    import onnx
    from onnx.external_data_helper import set_external_data

    if path.stat().st_size <= max_bytes:
        return []
    model = onnx.load(str(path))
    for old in path.parent.glob(f"{path.name}.data*"):
        old.unlink()
    part, used, names = 0, 0, set()
    for tensor in sorted(model.graph.initializer, key=lambda t: -len(t.raw_data)):
        size = len(tensor.raw_data)
        if size < 1024:
            continue  # small constants stay in the graph
        if used and used + size > max_bytes:
            part, used = part + 1, 0
        location = f"{path.name}.data{part}"
        set_external_data(tensor, location=location)
        names.add(location)
        used += size
    # `save_model` appends each tensor's bytes to the file its location names.
    onnx.save_model(model, str(path))
    return sorted(path.parent / n for n in names)


def head_arrays(model: MultiTask) -> dict[str, np.ndarray]:
    """The span-classifier weights as float32 numpy arrays."""
    sd = model.span.state_dict()
    return {k: v.detach().float().cpu().numpy().astype(np.float32) for k, v in sd.items()}


def write_folder(
    model: MultiTask,
    tokenizer_json: Path,
    out: Path,
    keep_fp32: bool = True,
    weight_only: tuple[str, ...] = (),
) -> None:
    """Write model.onnx (int8, its weights in `model.onnx.data*` parts when large),
    heads.safetensors and tokenizer.json into `out`.

    The fp32 ONNX goes to `out/../<name>.fp32/` (outside the shipped folder) when `keep_fp32`.
    """
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    fp32_dir = out.parent / f"{out.name}.fp32"
    fp32 = export_onnx(model, fp32_dir / "model.onnx")
    quantize(fp32, out / "model.onnx", weight_only)
    split_weights(out / "model.onnx")
    save_file(head_arrays(model), str(out / HEADS_FILE))
    shutil.copyfile(tokenizer_json, out / "tokenizer.json")
    shutil.copyfile(tokenizer_json, fp32_dir / "tokenizer.json")
    save_file(head_arrays(model), str(fp32_dir / HEADS_FILE))
    for folder in (out, fp32_dir):
        for f in folder.iterdir():
            f.chmod(0o644)  # safetensors writes 0600; packaged files must be world-readable
    if not keep_fp32:
        shutil.rmtree(fp32_dir)
