"""The page's words in Japanese and English (field labels and help come from the schema)."""
from __future__ import annotations

from ..report import language

#: The CLI's words for the expected annual loss and the downtime (``cyberloss bcp``'s columns).
_BCP_JA = language.SHEET_COLUMNS_JA["bcp"]

LANGS = ("ja", "en")

_TEXT = {
    "title": ("cyberloss サイバー損害シミュレーション", "cyberloss cyber loss simulation"),
    "organisation": ("組織", "Organisation"),
    "losses": ("損害", "Losses"),
    "cover": ("補償", "Cover"),
    "bcp": ("BCP", "BCP"),
    "group_organisation": ("組織プロファイル", "Organisation profile"),
    "group_simulation": ("シミュレーションの設定", "Simulation"),
    "group_terms": ("現在の保険条件", "Current policy terms"),
    "group_pricing": ("保険料の算出と免責金額・支払限度額の候補", "Premium principle, loadings and the grid"),
    "group_bcp": ("BCP比較のシミュレーション", "BCP comparison simulation"),
    "default": ("未入力時", "if empty"),
    "unknown": ("不明", "unknown"),
    "by_data": ("業種・規模別の既定値", "by industry and size"),
    "run_losses": ("損害を計算", "Compute losses"),
    "run_cover": ("補償を計算", "Compute cover"),
    "run_bcp": ("BCPを比較", "Compare BCP"),
    "fix_errors": ("入力を確認してください", "Please correct the inputs marked below"),
    "running": ("計算中", "Running"),
    "queued": ("順番待ち", "Waiting for a free slot"),
    "cancel": ("中止", "Cancel"),
    "cancelled": ("中止しました", "Cancelled"),
    "failed": ("計算できませんでした", "The run failed"),
    "again": ("もう一度計算", "Run again"),
    "share": ("この入力を共有するURL", "Shareable link to these inputs"),
    "download": ("ダウンロード", "Download"),
    "expected_loss": (_BCP_JA["expected_loss"], "Expected annual loss"),
    "downtime_days": (_BCP_JA["expected_downtime_days"], "downtime days a year"),
    "p_incident": ("年に1件以上のインシデントが起きる確率", "Probability of at least one incident a year"),
    "by_type": (f"攻撃の種類別の{_BCP_JA['expected_loss']}", "Expected annual loss by attack type"),
    "by_component": ("損害の内訳（費用・賠償・利益・内部工数）",
                     "By component (response costs, liability, lost profit, internal effort)"),
    "tail": ("VaR・TVaR（年間損害額）", "VaR and TVaR of the annual loss"),
    "ep": ("超過確率曲線（再現期間 2〜1,000年）", "Exceedance probability curve (return periods 2-1,000 years)"),
    "se": ("標準誤差", "standard error"),
    "pm_se": ("± 標準誤差", "± SE"),
    "seed": ("シード", "seed"),
    "basis": ("集計ベース", "Basis"),
    "policy": ("保険条件", "Policy terms"),
    "views": ("保険で支払われる額と自己保有額", "Insured and retained"),
    "grid": ("免責金額 × 支払限度額の総リスクコスト", "Total cost of risk over deductible x limit"),
    "recommendation": ("推奨", "Recommendation"),
    "bcp_title": ("対策とBCP目標の比較（共通乱数）", "Controls and BCP targets (common random numbers)"),
    "difference": ("基準との差", "difference to baseline"),
    "figure_pending": ("図はまだ描画中です。数秒後にページを再読み込みしてください。",
                       "The figure is still being drawn; reload the page in a few seconds."),
    "figure_lost": ("図を描画できませんでした（詳細はサーバーのログにあります）。",
                    "The figure could not be drawn (details in the server log)."),
    "late_lost": ("この計算の図またはレポートの一部を作成できませんでした（詳細はサーバーのログにあります）。",
                  "Some of this run's figures or its report could not be drawn (details in the server log)."),
    "report_lost": ("レポートを作成できませんでした。ページの「もう一度計算」から計算し直してください"
                    "（詳細はサーバーのログにあります）。",
                    "the report could not be drawn; run again from its page (details in the server log)"),
    "report_pending": ("レポートはまだ作成中です。数秒後にもう一度ダウンロードしてください。",
                       "the report is still being drawn; try again in a few seconds"),
    "not_finished": ("この計算はまだ終わっていません。先にそのページを開いてください。",
                     "this run has not finished; open its page first"),
    "lang_other": ("English", "日本語"),
    "served_locally": ("このページはこのパソコン上のcyberlossが表示しています。外部には接続しません。",
                       "This page is served by cyberloss on this machine; it connects to nothing else."),
}


def texts(lang: str) -> dict[str, str]:
    i = LANGS.index(lang)
    return {k: v[i] for k, v in _TEXT.items()}
