"""The CTranslate2 backend, split by job: ``convert`` (transformers directory to a
CTranslate2 model, cached), ``plan`` (generation config to ``translate_batch`` options),
``runtime`` (the backend itself)."""

from pipeline.backends.ct2.convert import QUANTIZATIONS, convert_model, converted_dir
from pipeline.backends.ct2.plan import DecodingPlan, plan_decoding
from pipeline.backends.ct2.runtime import CTranslate2Backend, worker_threads

__all__ = ["QUANTIZATIONS", "CTranslate2Backend", "DecodingPlan", "convert_model",
           "converted_dir", "plan_decoding", "worker_threads"]
