package web

func (s *Server) campaignRoutes() {}
