"""A function resource's properties as deployed: SAM's `Globals.Function` merged into them
(mappings merge, lists concatenate, scalars are overridden)."""

from __future__ import annotations

from typing import Any

from lambdalint.loaders.cloudformation.template import Template, as_list, intrinsic_name
from lambdalint.model import Pos
from lambdalint.reading.positions import LList, LMap, key_pos_of, pos_of

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
SAM_FUNCTION = "AWS::Serverless::Function"


def is_sam(data: Any) -> bool:
    transform = data.get("Transform") if isinstance(data, dict) else None
    return any(t == SAM_TRANSFORM for t in as_list(transform) if isinstance(t, str))


def function_properties(tpl: Template, logical_id: str) -> LMap:
    """A function resource's properties as deployed: SAM's Globals.Function merged in."""
    res = tpl.resource(logical_id) or {}
    props = res.get("Properties")
    if res.get("Type") == SAM_FUNCTION and is_sam(tpl.data):
        g = tpl.data.get("Globals")
        globals_fn = g.get("Function") if isinstance(g, dict) else None
        return merge_globals(globals_fn if isinstance(globals_fn, dict) else LMap(), props)
    return props if isinstance(props, LMap) else LMap()


def merge_globals(globals_fn: dict[str, Any], props: Any) -> LMap:
    """SAM's Globals semantics: maps merge, lists concatenate, scalars are overridden."""
    merged = LMap(props.pos if isinstance(props, LMap) else Pos())
    own = props if isinstance(props, dict) else {}
    for key, gval in globals_fn.items():
        if key in own:
            continue
        merged[key] = gval
        merged.key_pos[key] = key_pos_of(globals_fn, key)
        merged.value_pos[key] = pos_of(globals_fn, key)
    for key, val in own.items():
        gval = globals_fn.get(key)
        if isinstance(gval, dict) and isinstance(val, dict) and not intrinsic_name(val):
            val = _merge_maps(gval, val)
        elif isinstance(gval, list) and isinstance(val, list):
            combined = LList(val.pos if isinstance(val, LList) else Pos())
            for src in (gval, val):
                for i, item in enumerate(src):
                    combined.append(item)
                    combined.item_pos.append(pos_of(src, i))
            val = combined
        merged[key] = val
        merged.key_pos[key] = key_pos_of(own, key)
        merged.value_pos[key] = pos_of(own, key)
    return merged


def _merge_maps(base: dict[str, Any], over: dict[str, Any]) -> LMap:
    out = LMap(over.pos if isinstance(over, LMap) else Pos())
    for src in (base, over):
        for k, v in src.items():
            if isinstance(out.get(k), dict) and isinstance(v, dict) and not intrinsic_name(v):
                v = _merge_maps(out[k], v)
            out[k] = v
            out.key_pos[k] = key_pos_of(src, k)
            out.value_pos[k] = pos_of(src, k)
    return out
