"""Words, UI labels and icons of the generated pages, in nine languages (Latin and not).

Data for `page_generator`: short pools are enough, since a page is built from a few dozen
random picks and the detector learns shapes of text, not its meaning.
"""

from __future__ import annotations

UI_WORDS = {
    "en": "Submit Cancel Save Delete Next Back Search Login Apply Continue Edit Share Download "
    "Upload Send Close Confirm Buy Add Remove Open Reply Archive Export Print Filter Sort",
    "de": "Speichern Abbrechen Weiter Zurück Löschen Senden Schließen Bestätigen Suchen Anmelden "
    "Teilen Öffnen Drucken Filtern Hinzufügen",
    "fr": "Enregistrer Annuler Suivant Retour Supprimer Envoyer Fermer Confirmer Créer Chercher "
    "Partager Ouvrir Imprimer Filtrer Ajouter",
    "es": "Guardar Cancelar Siguiente Atrás Eliminar Enviar Cerrar Confirmar Añadir Buscar "
    "Compartir Abrir Imprimir Filtrar",
    "ru": "Сохранить Отмена Далее Назад Удалить Отправить Закрыть Войти Поиск Открыть Печать "
    "Добавить Фильтр",
    "el": "Αποθήκευση Ακύρωση Επόμενο Πίσω Διαγραφή Αποστολή Κλείσιμο Είσοδος Αναζήτηση Άνοιγμα",
    "zh": "保存 取消 下一步 返回 删除 发送 关闭 确认 登录 注册 搜索 打开 打印 添加 筛选",
    "ja": "保存 キャンセル 次へ 戻る 削除 送信 閉じる 確認 ログイン 検索 開く 印刷 追加",
    "ar": "حفظ إلغاء التالي رجوع حذف إرسال إغلاق تأكيد دخول بحث فتح طباعة إضافة",
}
TEXT_WORDS = {
    "en": "account settings profile search order delivery message report project team update "
    "payment history status review device network folder invoice schedule customer product "
    "price total shipping address summary details notes weekly monthly budget quick simple "
    "the a of and for with new your our this from about more free open recent first last",
    "de": "Konto Einstellungen Suche Bestellung Lieferung Nachricht Bericht Übersicht Größe "
    "Zahlung Verlauf Gerät Ordner Rechnung Termin und der die das für mit neue unsere Straße",
    "fr": "compte paramètres recherche commande livraison message rapport aperçu paiement "
    "historique appareil dossier facture réunion et le la les pour avec nouveau été élève",
    "es": "cuenta configuración búsqueda pedido envío mensaje informe pago historial "
    "dispositivo carpeta factura y el la los para con nuevo año niño información",
    "ru": "аккаунт настройки поиск заказ доставка сообщение отчёт оплата история устройство "
    "папка счёт и в на для с новый наш этот последний",
    "el": "λογαριασμός ρυθμίσεις αναζήτηση παραγγελία μήνυμα αναφορά πληρωμή ιστορικό "
    "συσκευή φάκελος και το για με νέο",
    "zh": "账户 设置 搜索 订单 配送 消息 报告 付款 历史 设备 文件夹 发票 "
    "用户 项目 今天 我们 新的 价格",
    "ja": "アカウント 設定 検索 注文 配送 メッセージ レポート 支払い 履歴 "
    "デバイス フォルダ 新しい 今日 価格",
    "ar": "حساب إعدادات بحث طلب توصيل رسالة تقرير دفع سجل جهاز مجلد جديد اليوم سعر",
}
LANGUAGES = tuple(TEXT_WORDS)
LANGUAGE_WEIGHTS = (50, 7, 7, 6, 7, 5, 8, 5, 5)
CJK_LANGUAGES = ("zh", "ja")

# 24x24 stroke icons (currentColor), simple enough to draw at 12-32 px.
ICONS = (
    '<circle cx="10" cy="10" r="6"/><path d="M15 15l6 6"/>',
    '<path d="M5 5l14 14M19 5L5 19"/>',
    '<path d="M4 6h16M4 12h16M4 18h16"/>',
    '<path d="M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1L3.2 9.5l6.1-.9z"/>',
    '<path d="M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.5A4 4 0 0 1 19 10c0 5.5-7 10-7 10z"/>',
    '<circle cx="12" cy="12" r="3"/><circle cx="12" cy="12" r="8" stroke-dasharray="3 2"/>',
    '<path d="M5 7h14M9 7V4h6v3M7 7l1 13h8l1-13"/>',
    '<circle cx="12" cy="8" r="4"/><path d="M4 21c1-5 15-5 16 0"/>',
    '<path d="M3 11l9-8 9 8M6 9v11h12V9"/>',
    '<path d="M6 17V11a6 6 0 0 1 12 0v6l2 2H4zM10 21h4"/>',
    '<path d="M6 9l6 6 6-6"/>',
    '<path d="M12 5v14M5 12h14"/>',
    '<path d="M4 12l5 5L20 6"/>',
    '<path d="M4 20l4-1L19 8l-3-3L5 16z"/>',
    '<rect x="3" y="6" width="18" height="12"/><path d="M3 6l9 7 9-7"/>',
)
GLYPHS = "★☆♥⚙✉✎✕☰⌂⚑☎✓⟳⬇⬆▶⏸"
