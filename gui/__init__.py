"""The Qt face of CertDesk: views, dialogs and item models; no domain rules live here."""
